namespace System.Management.Automation.Language;

/// <summary>Only a type here: the completers under test never read the command's syntax tree.</summary>
public class CommandAst
{
    private CommandAst()
    {
    }
}
