using System;
using Hailuo.Models;

namespace Hailuo.Pipeline;

/// <summary>
/// An output built from delegates. The cmdlets use it rather than implementing
/// <see cref="ICommandOutput"/> themselves, so that no type of theirs has an engine interface: loading
/// the cmdlet assembly's types must not need the engine before the module initializer has run.
/// </summary>
public sealed class DelegatingOutput : ICommandOutput
{
    private readonly Action<object> _writeObject;
    private readonly Action<CommandError> _writeError;
    private readonly Action<string, HailuoRemedy> _writeWarning;
    private readonly Action<string> _writeVerbose;
    private readonly Action<string> _writeDebug;
    private readonly Action<CommandProgress> _writeProgress;
    private readonly Func<string, string, bool> _shouldProcess;

    public DelegatingOutput(
        Action<object> writeObject,
        Action<CommandError> writeError,
        Action<string, HailuoRemedy> writeWarning,
        Action<string> writeVerbose,
        Action<string> writeDebug,
        Action<CommandProgress> writeProgress,
        Func<string, string, bool> shouldProcess)
    {
        _writeObject = writeObject;
        _writeError = writeError;
        _writeWarning = writeWarning;
        _writeVerbose = writeVerbose;
        _writeDebug = writeDebug;
        _writeProgress = writeProgress;
        _shouldProcess = shouldProcess;
    }

    public void WriteObject(object item) => _writeObject(item);

    public void WriteError(CommandError error) => _writeError(error);

    public void WriteWarning(string message, HailuoRemedy remedy = HailuoRemedy.None) => _writeWarning(message, remedy);

    public void WriteVerbose(string message) => _writeVerbose(message);

    public void WriteDebug(string message) => _writeDebug(message);

    public void WriteProgress(CommandProgress progress) => _writeProgress(progress);

    public bool ShouldProcess(string target, string action) => _shouldProcess(target, action);
}
