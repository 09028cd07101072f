using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>
/// A real PowerShell 7 runspace in this process (Microsoft.PowerShell.SDK) that has imported the built
/// module the way a user does, <c>Import-Module ./out/Hailuo</c>, with its location in a folder of
/// its own. Scripts run as typed; each result holds every stream.
/// </summary>
public sealed class ModuleRunspace : IDisposable
{
    private readonly Runspace _runspace;

    private ModuleRunspace(Runspace runspace, string location)
    {
        _runspace = runspace;
        Location = location;
    }

    /// <summary>The runspace's current location: relative paths in scripts resolve here.</summary>
    public string Location { get; }

    public Runspace Runspace => _runspace;

    /// <summary>Opens a runspace whose location is <paramref name="location"/> and, unless told not to, imports the module.</summary>
    public static ModuleRunspace Open(string location, bool importModule = true)
    {
        var state = InitialSessionState.CreateDefault2();
        var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        var session = new ModuleRunspace(runspace, location);
        session.Run("param($Location) Set-Location -LiteralPath $Location", new { Location = location }).AssertNoErrors();
        if (importModule)
        {
            session.Run("param($Manifest) Import-Module $Manifest -ErrorAction Stop", new { Manifest = RepoPaths.Manifest }).AssertNoErrors();
        }
        return session;
    }

    /// <summary>
    /// Runs <paramref name="script"/>; the properties of <paramref name="parameters"/> are passed to its
    /// param() block by name. A terminating error is caught into the result, not thrown.
    /// </summary>
    public ScriptResult Run(string script, object? parameters = null)
    {
        using var ps = Create(script, parameters);
        Collection<PSObject> output = new();
        RuntimeException? terminating = null;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }
        return ScriptResult.From(ps, output, terminating);
    }

    /// <summary>Starts <paramref name="script"/> without waiting, for tests that stop it part way (Ctrl+C is Stop()).</summary>
    public RunningScript Start(string script, object? parameters = null)
    {
        var ps = Create(script, parameters);
        var output = new PSDataCollection<PSObject>();
        var handle = ps.BeginInvoke<PSObject, PSObject>(null, output);
        return new RunningScript(ps, output, handle);
    }

    private System.Management.Automation.PowerShell Create(string script, object? parameters)
    {
        var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        if (parameters is not null)
        {
            foreach (var property in parameters.GetType().GetProperties())
            {
                ps.AddParameter(property.Name, property.GetValue(parameters));
            }
        }
        return ps;
    }

    public void Dispose()
    {
        // The module keeps a connection per session; leave none behind for the next test.
        Run("if (Get-Command Disconnect-Hailuo -ErrorAction Ignore) { Disconnect-Hailuo -ErrorAction Ignore }");
        _runspace.Dispose();
    }
}

/// <summary>A script started with <see cref="ModuleRunspace.Start"/>.</summary>
public sealed class RunningScript : IDisposable
{
    private readonly System.Management.Automation.PowerShell _ps;
    private readonly PSDataCollection<PSObject> _output;
    private readonly IAsyncResult _handle;

    internal RunningScript(System.Management.Automation.PowerShell ps, PSDataCollection<PSObject> output, IAsyncResult handle)
    {
        _ps = ps;
        _output = output;
        _handle = handle;
    }

    /// <summary>What the script has written so far.</summary>
    public IReadOnlyList<PSObject> OutputSoFar => _output.ReadAll();

    public PSDataStreams Streams => _ps.Streams;

    /// <summary>What Ctrl+C does: stops the pipeline, and returns once it has stopped.</summary>
    public void Stop() => _ps.Stop();

    /// <summary>Waits for the script to end and gives everything it wrote.</summary>
    public ScriptResult Wait(TimeSpan timeout)
    {
        if (!_handle.AsyncWaitHandle.WaitOne(timeout))
        {
            throw new TimeoutException($"The script did not end within {timeout.TotalSeconds:0} s.");
        }
        RuntimeException? terminating = null;
        try
        {
            _ps.EndInvoke(_handle);
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }
        return ScriptResult.From(_ps, new Collection<PSObject>(_output.ToList()), terminating);
    }

    public void Dispose() => _ps.Dispose();
}
