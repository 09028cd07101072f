using Hailuo.Models;

namespace Hailuo.Pipeline;

/// <summary>
/// Where command logic writes, as PSScriptAnalyzer's IOutputWriter: the cmdlets implement it over
/// PSCmdlet, tests implement it over lists. Every call is made on the thread that owns the pipeline.
/// </summary>
public interface ICommandOutput
{
    void WriteObject(object item);

    void WriteError(CommandError error);

    /// <summary>A warning; the output words <paramref name="remedy"/> after it, as it does for errors.</summary>
    void WriteWarning(string message, HailuoRemedy remedy = HailuoRemedy.None);

    void WriteVerbose(string message);

    void WriteDebug(string message);

    void WriteProgress(CommandProgress progress);

    bool ShouldProcess(string target, string action);
}
