using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Hailuo.PowerShell.Completion;

/// <summary>Completes a parameter from a fixed set of values, filtered by what has been typed (case-insensitive).</summary>
public abstract class StaticSetCompleter : IArgumentCompleter
{
    /// <summary>The values, in the order they are offered.</summary>
    public abstract IReadOnlyList<string> Values { get; }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionMatcher.Match(Values.Select(value => (value, value)), wordToComplete);
}
