using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// Binds job ids however they come: text, a job object, or a row with an Id, JobId, job_id or task_id column. Without
/// it, PowerShell would coerce a whole CSV row into the id (its "@{Id=...; Provider=...}" text) before trying the
/// row's Id column by name, because the default parameter set is tried first.
/// </summary>
/// <remarks>Never uses <see cref="EngineIntrinsics"/>, so it may be null.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class JobIdTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>The columns that hold a job id, as the providers and the module name it.</summary>
    internal static readonly string[] IdColumns = { "Id", "JobId", "job_id", "task_id" };

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CsvValue.Unwrap(inputData);
        if (value is string or null)
        {
            return value;
        }
        if (value is IEnumerable items and not IDictionary)
        {
            var ids = new List<object?>();
            foreach (var item in items)
            {
                ids.Add(IdOf(item));
            }
            return ids.ToArray();
        }
        return IdOf(inputData);
    }

    private static object? IdOf(object? item)
    {
        switch (CsvValue.Unwrap(item))
        {
            case null:
                return null;
            case string text:
                return text;
            case HailuoJobInfo job:
                return job.Id;
        }
        var row = PSObject.AsPSObject(item);
        foreach (var column in IdColumns)
        {
            if (row.Properties[column] is { } property)
            {
                return property.Value?.ToString();
            }
        }
        // Anything else goes to PowerShell's own conversion, and its own error.
        return item;
    }
}
