using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hailuo.PowerShell;

namespace Hailuo.Tests.PowerShell;

public sealed partial class ManifestAndFormatTests
{
    private const string JobInfoType = "Hailuo.PowerShell.HailuoJobInfo";
    private const string ConnectionInfoType = "Hailuo.PowerShell.HailuoConnectionInfo";

    private static readonly ManifestText Manifest = new(File.ReadAllText(RepoPaths.Combine("Hailuo.psd1")));

    private static readonly XDocument Formats = XDocument.Load(RepoPaths.Combine("module", "Hailuo.format.ps1xml"));

    [Fact]
    public void The_manifest_exports_exactly_the_eight_cmdlets_of_docs_cmdlets_md()
    {
        string[] eight = ["New-HailuoVideo", "Get-HailuoJob", "Wait-HailuoJob", "Stop-HailuoJob", "Save-HailuoVideo", "Connect-Hailuo", "Disconnect-Hailuo", "Get-HailuoConnection"];
        Assert.Equal(eight.Order(), Manifest["CmdletsToExport"].Order());
        Assert.Equal(eight.Order(), CmdletsDoc.CmdletNames.Order());
        foreach (var key in new[] { "FunctionsToExport", "AliasesToExport", "VariablesToExport" })
        {
            Assert.Empty(Manifest[key]);
        }
    }

    [Fact]
    public void The_manifest_names_its_formats_and_they_exist()
    {
        Assert.Equal(["module/Hailuo.format.ps1xml"], Manifest["FormatsToProcess"]);
        foreach (var path in Manifest["FormatsToProcess"])
        {
            Assert.True(File.Exists(RepoPaths.Combine(path.Split('/', '\\'))), $"{path} is named in Hailuo.psd1 but is missing.");
        }
    }

    [Fact]
    public void The_manifest_supports_both_editions_from_PowerShell_5_1()
    {
        Assert.Equal(["Desktop", "Core"], Manifest["CompatiblePSEditions"]);
        Assert.Equal("5.1", Manifest.Single("PowerShellVersion"));
        Assert.Equal("module/Hailuo.PowerShell.dll", Manifest.Single("RootModule"));
    }

    [Fact]
    public void The_manifest_version_is_the_build_version()
    {
        var props = XDocument.Load(RepoPaths.Combine("Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;
        Assert.Equal(version, Manifest.Single("ModuleVersion"));
    }

    [Fact]
    public void The_job_table_shows_Id_Status_Provider_Elapsed_and_a_shortened_Prompt()
    {
        var table = View(JobInfoType, "TableControl");
        Assert.Equal(["Id", "Status", "Provider", "Elapsed", "Prompt"], table.Descendants("TableColumnHeader").Select(h => (string)h.Element("Label")!));
        var items = table.Descendants("TableColumnItem").ToArray();
        Assert.Equal(5, items.Length);
        Assert.Equal(["Id", "Status", "Provider"], items.Take(3).Select(i => (string)i.Element("PropertyName")!));
        Assert.Contains(@"'{0}:{1:mm\:ss}'", (string)items[3].Element("ScriptBlock")!);
        var prompt = (string)items[4].Element("ScriptBlock")!;
        Assert.Contains("-le 40", prompt);
        Assert.Contains("Substring(0, 39) + [char]0x2026", prompt);
    }

    [Fact]
    public void Elapsed_in_the_job_table_reads_like_0_02_03()
    {
        // The format string the table's script block passes to -f, which is String.Format.
        Assert.Equal("0:02:03", string.Format(System.Globalization.CultureInfo.InvariantCulture, @"{0}:{1:mm\:ss}", 0, TimeSpan.FromSeconds(123)));
        Assert.Equal("26:00:05", string.Format(System.Globalization.CultureInfo.InvariantCulture, @"{0}:{1:mm\:ss}", 26, new TimeSpan(1, 2, 0, 5)));
    }

    [Fact]
    public void The_job_list_view_shows_every_property()
    {
        var list = View(JobInfoType, "ListControl");
        var shown = list.Descendants("ListItem").SelectMany(PropertiesRead).ToHashSet();
        Assert.Equal(PublicProperties(typeof(HailuoJobInfo)).Order(), shown.Order());
    }

    [Fact]
    public void The_connection_table_shows_the_provider_and_where_the_key_comes_from()
    {
        var table = View(ConnectionInfoType, "TableControl");
        var shown = table.Descendants("TableColumnItem").SelectMany(PropertiesRead).ToArray();
        Assert.Equal(["Provider", "Account", "CredentialSource", "Vault", "SecretName", "BaseUri"], shown);
    }

    [Fact]
    public void Every_view_names_a_type_of_the_module_and_reads_only_properties_it_has()
    {
        var types = new Dictionary<string, Type> { [JobInfoType] = typeof(HailuoJobInfo), [ConnectionInfoType] = typeof(HailuoConnectionInfo) };
        var views = Formats.Descendants("View").ToArray();
        Assert.Equal(3, views.Length);
        foreach (var view in views)
        {
            var typeName = (string)view.Element("ViewSelectedBy")!.Element("TypeName")!;
            Assert.True(types.TryGetValue(typeName, out var type), $"The view {(string)view.Element("Name")!} is for {typeName}, which the module does not write.");
            var properties = PublicProperties(type);
            var items = view.Descendants().Where(e => e.Name == "TableColumnItem" || e.Name == "ListItem");
            foreach (var read in items.SelectMany(PropertiesRead))
            {
                Assert.True(properties.Contains(read), $"The view {(string)view.Element("Name")!} reads {read}, which {type.Name} does not have.");
            }
        }
        Assert.Equal(views.Length, views.Select(v => (string)v.Element("Name")!).Distinct().Count());
    }

    [Fact]
    public void Every_table_has_a_header_per_column()
    {
        foreach (var table in Formats.Descendants("TableControl"))
        {
            Assert.Equal(table.Descendants("TableColumnHeader").Count(), table.Descendants("TableColumnItem").Count());
        }
    }

    private static XElement View(string typeName, string control) =>
        Formats.Descendants("View")
            .Where(v => (string)v.Element("ViewSelectedBy")!.Element("TypeName")! == typeName)
            .Select(v => v.Element(control))
            .Single(c => c is not null)!;

    /// <summary>The property a column or list item shows, or every $_.Name its script block reads.</summary>
    private static IEnumerable<string> PropertiesRead(XElement item) =>
        item.Element("PropertyName") is { } property
            ? [property.Value]
            : CurrentObjectProperty().Matches((string?)item.Element("ScriptBlock") ?? "").Select(m => m.Groups[1].Value).Distinct();

    private static HashSet<string> PublicProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet();

    [GeneratedRegex(@"\$_\.(\w+)")]
    private static partial Regex CurrentObjectProperty();
}
