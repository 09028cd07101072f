using System.Globalization;
using Hailuo.Models;
using Hailuo.Providers;

namespace Hailuo.PowerShell.Common;

/// <summary>
/// The engine says what can be done (<see cref="HailuoRemedy"/>); this words it with the commands and
/// parameters a PowerShell user types. The one place where those names appear in advice.
/// </summary>
internal static class RecommendedActions
{
    // From the providers' profiles: those that can cancel a job are also the ones with every call a cmdlet asks for.
    private static readonly string FullProviders = ProviderProfiles.Names(p => p.CanCancel, "or");
    private static readonly string Cancellers = ProviderProfiles.DisplayNames(p => p.CanCancel, "and");

    /// <summary>Words for a remedy that needs no facts of an error (a warning's).</summary>
    public static string? For(HailuoRemedy remedy) => remedy == HailuoRemedy.None ? null : For(new HailuoError(HailuoErrorKind.JobFailed, "", remedy: remedy));

    public static string? For(HailuoError? error) => error is null ? null : error.Remedy switch
    {
        HailuoRemedy.None => null,
        HailuoRemedy.CheckKey => "Check the API key: run Connect-Hailuo again with the right -ApiKey or -Vault and -SecretName.",
        HailuoRemedy.ConnectFirst => "Run Connect-Hailuo with -ApiKey, or -Vault and -SecretName; or set one of the environment variables the message names.",
        HailuoRemedy.TopUp => "Top up the provider account, then run the same command again; finished jobs are not paid for twice.",
        HailuoRemedy.ChangeContent => "Change the prompt or the image so that it passes the provider's content filter, then run New-HailuoVideo again.",
        HailuoRemedy.FixInput => error.Code is { Length: > 0 } field && !IsNumber(field)
            ? $"Change -{field} as the message says; nothing was sent and nothing was charged."
            : "Change the value the message names; nothing was sent and nothing was charged.",
        HailuoRemedy.CheckJobId => "Check the job id and -Provider; the provider may have deleted the job or its output.",
        HailuoRemedy.CheckBaseUri => "Check the -BaseUri given to Connect-Hailuo (Get-HailuoConnection shows it): it should be the provider's API root.",
        HailuoRemedy.SlowDown => "Wait and run the same command again; rows already submitted are reused, not paid again.",
        HailuoRemedy.TryLater => "Run the same command again later; rows already submitted are reused, not paid again.",
        HailuoRemedy.CheckDashboardOrForce => "The provider may have accepted and charged this create. Check its dashboard (Get-HailuoJob lists the row as unknown); to submit it again anyway, run New-HailuoVideo with -Force.",
        HailuoRemedy.RunAgainToSettle => error.SettlesAt is { } at
            ? string.Format(CultureInfo.InvariantCulture,
                "Run the same command again after {0:u}: it looks this create up at the provider, uses the job if it arrived and sends it once if it did not. To send it again now anyway, use -Force.", at)
            : "Run the same command again later: it looks this create up at the provider first. To send it again now anyway, use -Force.",
        HailuoRemedy.RunAgainLater => "Another process is submitting this row now: run the same command again when it has finished, and its job is used, not paid again.",
        HailuoRemedy.TryAgain => "Run the same command again; if it keeps failing, the provider's API may have changed.",
        HailuoRemedy.RefreshLink => "Get-HailuoJob gets a fresh link, and Save-HailuoVideo does so by itself.",
        HailuoRemedy.UseOtherProvider => $"Use a provider that supports this: Connect-Hailuo -Provider {FullProviders}.",
        HailuoRemedy.LetItFinish => $"Let it finish; only {Cancellers} can cancel a job.",
        HailuoRemedy.SubmitAgain => "Change the input if needed, and run New-HailuoVideo again.",
        HailuoRemedy.WaitFirst => "Wait for the job first: pipe it to Wait-HailuoJob, then to Save-HailuoVideo.",
        HailuoRemedy.ForceResubmit => "Only a new submission makes this video: run New-HailuoVideo with -Force for this input (it is paid again).",
        HailuoRemedy.OverwriteOrRename => "Use -Force to replace the file, or another -Path or -FileNameTemplate to keep both.",
        HailuoRemedy.DistinctFileNames => "Use a -FileNameTemplate that tells the rows apart, such as one with {index} or {id}, and run again: the job is downloaded, not paid for again.",
        HailuoRemedy.FixSavePath => "Give -Path a folder this session can write to (or remove what is in the way), and run Save-HailuoVideo again: the finished video is downloaded, not paid for again.",
        HailuoRemedy.FixFileNameTemplate => "Fix -FileNameTemplate: use fields such as {index:0000}, {prompt}, {id} or a column name, for example '{index:0000}-{prompt}-{id}'; it names a file inside -Path.",
        HailuoRemedy.RaiseCreditBudget => "Raise -MaxCredits, or run the remaining rows later; rows already submitted are reused, not paid again.",
        HailuoRemedy.LookAgainLater => "Look again later with Get-HailuoJob and the job's id; running the same batch again picks the job up without paying for it again.",
        _ => null,
    };

    private static bool IsNumber(string code) => int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
