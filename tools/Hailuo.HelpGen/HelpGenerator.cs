using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Hailuo.HelpGen;

/// <summary>From a folder of help sources to the MAML file: what the tool runs and the tests call.</summary>
public static class HelpGenerator
{
    /// <summary>The folder's description of the format, not a cmdlet.</summary>
    public const string FormatFileName = "README.md";

    /// <summary>Reads every &lt;Verb-Noun&gt;.md in <paramref name="sourceDirectory"/>, sorted by name.</summary>
    public static IReadOnlyList<CommandHelp> LoadDirectory(string sourceDirectory)
    {
        if (!Directory.Exists(sourceDirectory))
        {
            throw new DirectoryNotFoundException($"The help source folder '{sourceDirectory}' does not exist.");
        }
        var files = Directory.GetFiles(sourceDirectory, "*.md")
            .Where(f => !string.Equals(Path.GetFileName(f), FormatFileName, StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new HelpFormatException(sourceDirectory, 0, "The folder holds no <Verb-Noun>.md help source.");
        }
        return files.Select(HelpMarkdown.ParseFile).ToList();
    }

    public static XDocument ToMaml(IEnumerable<CommandHelp> commands) => MamlWriter.Write(commands);

    /// <summary>The MAML as text: UTF-8, indented, with the XML declaration Get-Help expects.</summary>
    public static string Render(XDocument document)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            OmitXmlDeclaration = false,
        };
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, settings))
        {
            document.Save(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Writes the MAML for every source in <paramref name="sourceDirectory"/> to <paramref name="outputPath"/>
    /// and returns how many commands it holds. Writes a temp file and moves it into place, so a failed
    /// run never leaves half a help file for Get-Help to choke on.
    /// </summary>
    public static int Generate(string sourceDirectory, string outputPath)
    {
        var commands = LoadDirectory(sourceDirectory);
        var fileName = Path.GetFileName(outputPath);
        foreach (var command in commands.Where(c => !string.Equals(c.ExternalHelpFile, fileName, StringComparison.OrdinalIgnoreCase)))
        {
            throw new HelpFormatException(command.SourcePath, command.ExternalHelpFileLine,
                $"'external help file: {command.ExternalHelpFile}', but this help is written to {fileName}, the file Get-Help reads for the cmdlet's assembly.");
        }
        var text = Render(ToMaml(commands));
        var full = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(false));
            // Always replaced, even when unchanged, so MSBuild's up-to-date check sees a fresh output.
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
        return commands.Count;
    }
}
