namespace Hailuo.Pipeline;

/// <summary>A progress record, in PowerShell's terms.</summary>
public sealed class CommandProgress
{
    public CommandProgress(int activityId, string activity, string status)
    {
        ActivityId = activityId;
        Activity = activity;
        Status = status;
    }

    public int ActivityId { get; }

    public string Activity { get; }

    public string Status { get; }

    /// <summary>0 to 100, or -1 when unknown.</summary>
    public int PercentComplete { get; set; } = -1;

    /// <summary>Seconds left, or -1 when unknown.</summary>
    public int SecondsRemaining { get; set; } = -1;

    public string? CurrentOperation { get; set; }

    public int ParentActivityId { get; set; } = -1;

    /// <summary>True to remove the bar.</summary>
    public bool Completed { get; set; }
}
