using System;
using System.IO;

namespace Hailuo.HelpGen;

/// <summary>hailuo-helpgen --source docs/help --output out/Hailuo/en-US/Hailuo.PowerShell.dll-Help.xml</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The tool without the process around it, so tests run it in-process. 0 on success, 1 for bad help, 2 for bad usage.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? source = null;
        string? target = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--source" when i + 1 < args.Length:
                    source = args[++i];
                    break;
                case "--output" when i + 1 < args.Length:
                    target = args[++i];
                    break;
                default:
                    return Usage(error, $"Unknown or incomplete argument '{args[i]}'.");
            }
        }
        if (source is null || target is null)
        {
            return Usage(error, "Both --source and --output are required.");
        }
        try
        {
            var count = HelpGenerator.Generate(source, target);
            output.WriteLine($"Hailuo help: {count} commands from {Path.GetFullPath(source)} written to {Path.GetFullPath(target)}");
            return 0;
        }
        catch (HelpFormatException e)
        {
            error.WriteLine(e.ToCanonicalString());
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{target}: error HELPGEN: {e.Message}");
            return 1;
        }
    }

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine($"error HELPGEN: {message}");
        error.WriteLine("usage: Hailuo.HelpGen --source <folder of Verb-Noun.md files> --output <Assembly.dll-Help.xml>");
        return 2;
    }
}
