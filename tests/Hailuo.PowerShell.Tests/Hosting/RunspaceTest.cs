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

    /// <summary>Copies examples/first-frame.png into the work folder, where ./first-frame.png finds it; returns its full path.</summary>
    protected string CopyFirstFrameImage()
    {
        var path = Home.File("first-frame.png");
        File.Copy(RepoPaths.Combine("examples", "first-frame.png"), path);
        return path;
    }

    /// <summary>Writes a CSV file into the work folder, as a user prepares one for Import-Csv.</summary>
    protected void WriteCsv(string name, string header, params IEnumerable<string> rows) =>
        File.WriteAllLines(Home.File(name), rows.Prepend(header));

    public async Task DisposeAsync()
    {
        _session?.Dispose();
        await Emulator.DisposeAsync();
        Home.Dispose();
    }
}
