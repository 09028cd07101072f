using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.Pipeline;

/// <summary>One row of New-HailuoVideo: the request, the provider it names, and the columns that ride along.</summary>
public sealed class RowInput
{
    public RowInput(VideoRequest request, long index)
    {
        Request = request;
        Index = index;
    }

    public VideoRequest Request { get; }

    /// <summary>1-based position in the pipeline, for messages ("row 7") and {index} in file names.</summary>
    public long Index { get; }

    /// <summary>A provider named by the row; null uses the connected one.</summary>
    public string? Provider { get; set; }

    public IReadOnlyDictionary<string, string?> Tag { get; set; } = new Dictionary<string, string?>();

    /// <summary>What an error about this row points at (the CSV row itself).</summary>
    public object? Target { get; set; }
}
