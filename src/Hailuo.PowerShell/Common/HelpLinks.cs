namespace Hailuo.PowerShell.Common;

/// <summary>
/// Where each cmdlet's help lives online (Get-Help -Online): its Markdown source in the project's repository,
/// the manifest's ProjectUri.
/// </summary>
internal static class HelpLinks
{
    public const string Base = "https://github.com/hailuo-powershell/Hailuo/blob/main/docs/help/";
}
