using Hailuo.Emulator;

namespace Hailuo.PowerShell.Tests.Hosting;

/// <summary>
/// A test that runs scripts in a runspace that has imported the module, with a home of its own and an
/// emulator of its own. Override <see cref="ConfigureEmulator"/> to set the emulator's options.
/// </summary>
[Collection(RunspaceCollection.Name)]
public abstract class RunspaceTest : IAsyncLifetime
{
    private ModuleRunspace? _session;

    protected TestHome Home { get; } = new();

    protected EmulatorHost Emulator { get; private set; } = null!;

    /// <summary>The runspace, opened on first use with the module imported.</summary>
    protected ModuleRunspace Session => _session ??= ModuleRunspace.Open(Home.Work);

    protected virtual void ConfigureEmulator(EmulatorOptions options)
    {
    }

    public async Task InitializeAsync() => Emulator = await EmulatorHost.StartAsync(ConfigureEmulator);

    /// <summary>Writes a CSV into the work folder, a header and its rows, as a user's file.</summary>
    protected void WriteCsv(string name, params string[] lines) => File.WriteAllText(Home.File(name), string.Join("\n", lines) + "\n");

    /// <summary>The MP4 files in a folder under the work folder (none when it does not exist).</summary>
    protected string[] Videos(string folder = "videos")
    {
        var path = Home.File(folder);
        return Directory.Exists(path) ? Directory.GetFiles(path, "*.mp4").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray() : [];
    }

    /// <summary>Runs a script in the test's runspace.</summary>
    protected ScriptResult Run(string script, object? parameters = null) => Session.Run(script, parameters);

    /// <summary>Connects the runspace to the emulator, as a user connects with a key: this session only.</summary>
    protected void Connect(string provider = "CoreToday", string key = EmulatorHost.Key) =>
        Run("param($Provider, $Url, $Key) Connect-Hailuo -Provider $Provider -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist",
            new { Provider = provider, Url = Emulator.BaseUri(provider), Key = key }).AssertNoErrors();

    public async Task DisposeAsync()
    {
        _session?.Dispose();
        await Emulator.DisposeAsync();
        Home.Dispose();
    }
}
