using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Help;

/// <summary>
/// One runspace with the module imported, shared by a help test class: Get-Help only reads, so the
/// tests need no emulator and no runspace of their own.
/// </summary>
public sealed class HelpSession : IDisposable
{
    private readonly TestHome _home = new();

    public HelpSession()
    {
        Session = ModuleRunspace.Open(_home.Work);
        Cmdlets = Session.Run("(Get-Module Hailuo).ExportedCmdlets.Keys | Sort-Object").AssertNoErrors()
            .Output.Select(o => (string)o.BaseObject).ToList();
    }

    public ModuleRunspace Session { get; }

    /// <summary>Every cmdlet the module exports, as Get-Module lists them.</summary>
    public IReadOnlyList<string> Cmdlets { get; }

    /// <summary>A note property of a help object (Get-Help's objects are PSObjects of PSObjects).</summary>
    public static object? Property(object? item, string name) =>
        item is null ? null : PSObject.AsPSObject(item).Properties[name]?.Value;

    /// <summary>The text of a help field that holds paragraphs: description, remarks.</summary>
    public static string Text(object? paragraphs) =>
        string.Join("\n", Items(paragraphs).Select(p => Property(p, "Text") as string ?? "")).Trim();

    /// <summary>A help field that is one item or several, as a list.</summary>
    public static IReadOnlyList<object> Items(object? value) => value switch
    {
        null => [],
        PSObject { BaseObject: object[] array } => array,
        object[] array => array,
        _ => [value],
    };

    public void Dispose()
    {
        Session.Dispose();
        _home.Dispose();
    }
}
