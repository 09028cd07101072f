namespace System.Management.Automation;

public class CompletionResult
{
    public CompletionResult(string completionText, string listItemText, CompletionResultType resultType, string toolTip)
    {
        // As PowerShell: every text is required, and an empty one is refused.
        CompletionText = Required(completionText, nameof(completionText));
        ListItemText = Required(listItemText, nameof(listItemText));
        ToolTip = Required(toolTip, nameof(toolTip));
        if (resultType < CompletionResultType.Text || resultType > CompletionResultType.DynamicKeyword)
        {
            throw new ArgumentOutOfRangeException(nameof(resultType));
        }
        ResultType = resultType;
    }

    public string CompletionText { get; }

    public string ListItemText { get; }

    public CompletionResultType ResultType { get; }

    public string ToolTip { get; }

    private static string Required(string text, string name) =>
        string.IsNullOrEmpty(text) ? throw new ArgumentNullException(name) : text;
}
