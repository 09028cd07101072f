using Hailuo.Models;

namespace Hailuo.Pipeline;

/// <summary>A video on disk, with its job.</summary>
public sealed class SavedVideo
{
    public SavedVideo(string path, long length, bool skipped, HailuoJob job, long index)
    {
        Path = path;
        Length = length;
        Skipped = skipped;
        Job = job;
        Index = index;
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>An identical file was already there, so nothing was downloaded.</summary>
    public bool Skipped { get; }

    public HailuoJob Job { get; }

    public long Index { get; }
}
