using System;
using System.Threading;
using Hailuo.Connection;

namespace Hailuo.Pipeline;

/// <summary>
/// What a cmdlet's batch logic (<see cref="VideoSubmission"/>, <see cref="WaitBatch"/>, <see cref="SaveBatch"/>)
/// holds: where it writes, through a pump that only the pipeline thread drains; the connection its clients come from;
/// its options; and the token that stops it.
/// </summary>
public abstract class CommandBatch<TOptions> : IDisposable
    where TOptions : class
{
    private protected CommandBatch(ICommandOutput output, HailuoConnection connection, TOptions options, CancellationToken cancellationToken)
    {
        Output = output;
        Connection = connection;
        Options = options;
        CancellationToken = cancellationToken;
    }

    private protected ICommandOutput Output { get; }

    private protected HailuoConnection Connection { get; }

    private protected TOptions Options { get; }

    /// <summary>Stops the batch: the command was stopped.</summary>
    private protected CancellationToken CancellationToken { get; }

    /// <summary>Background work posts its output here; the pipeline thread writes it.</summary>
    private protected PipelinePump Pump { get; } = new();

    public virtual void Dispose() => Pump.Dispose();
}
