using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.PowerShell.Completion;

namespace Hailuo.Tests.PowerShell;

// The ledger's default path follows HAILUO_DATA_HOME, which is process-wide: share the serial collection
// of the other tests that set it (see JobLedgerDefaultPathTests).
[Collection("EnvironmentVariables")]
public sealed class JobIdCompleterTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, string?> NoTag = new Dictionary<string, string?>();

    private readonly string? _savedHome = Environment.GetEnvironmentVariable("HAILUO_DATA_HOME");
    private readonly string _home = Path.Combine(Path.GetTempPath(), "hailuo-completer-tests", Guid.NewGuid().ToString("N"));

    public JobIdCompleterTests()
    {
        Environment.SetEnvironmentVariable("HAILUO_DATA_HOME", _home);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("HAILUO_DATA_HOME", _savedHome);
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public void Offers_the_ledgers_job_ids_newest_first_with_status_and_prompt()
    {
        using (var ledger = new JobLedger(JobLedger.DefaultPath()))
        {
            Submit(ledger, "job-a", "A paper boat", JobStatus.Succeeded);
            Submit(ledger, "job-b", "A lantern festival", JobStatus.Failed);
            Submit(ledger, "job-c", "Fireworks", JobStatus.Running);
            // A create whose outcome is unknown has no id to offer.
            ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "no-id", new VideoRequest { Prompt = "lost" }, NoTag);
        }

        var results = Complete("");

        Assert.Equal(["job-c", "job-b", "job-a"], results.Select(r => r.CompletionText));
        Assert.Equal(["job-c", "job-b", "job-a"], results.Select(r => r.ListItemText));
        Assert.Equal(["Running, Fireworks", "Failed, A lantern festival", "Succeeded, A paper boat"], results.Select(r => r.ToolTip));
    }

    [Fact]
    public void Filters_by_the_word_typed()
    {
        using (var ledger = new JobLedger(JobLedger.DefaultPath()))
        {
            Submit(ledger, "abc-1", "one", JobStatus.Succeeded);
            Submit(ledger, "xyz-2", "two", JobStatus.Succeeded);
            Submit(ledger, "ABC-3", "three", JobStatus.Succeeded);
        }
        Assert.Equal(["ABC-3", "abc-1"], Complete("abc").Select(r => r.CompletionText));
        Assert.Equal(["xyz-2"], Complete("'xy").Select(r => r.CompletionText.Trim('\'')));
    }

    [Fact]
    public void Offers_at_most_50_the_newest()
    {
        using (var ledger = new JobLedger(JobLedger.DefaultPath()))
        {
            for (var i = 0; i < JobIdCompleter.MaxResults + 5; i++)
            {
                Submit(ledger, $"job-{i:00}", $"prompt {i}", JobStatus.Queued);
            }
        }
        var results = Complete("");
        Assert.Equal(50, results.Count);
        Assert.Equal("job-54", results[0].CompletionText);
        Assert.Equal("job-05", results[^1].CompletionText);
    }

    [Fact]
    public void Shortens_long_prompts_in_the_tooltip()
    {
        using (var ledger = new JobLedger(JobLedger.DefaultPath()))
        {
            Submit(ledger, "job-long", new string('a', 500), JobStatus.Queued);
            var intent = ledger.RecordIntent(HailuoProvider.MiniMax, "acct", "no-prompt", new VideoRequest(), NoTag);
            ledger.RecordSubmitted(intent, new HailuoJob("job-bare", HailuoProvider.MiniMax, HailuoModels.Standard, JobStatus.Queued));
        }
        var results = Complete("job-");
        Assert.Equal("Queued", results.Single(r => r.CompletionText == "job-bare").ToolTip);
        var tip = results.Single(r => r.CompletionText == "job-long").ToolTip;
        Assert.Equal("Queued, " + new string('a', 79) + "…", tip);
    }

    [Fact]
    public void Offers_nothing_and_creates_nothing_when_there_is_no_ledger()
    {
        Assert.Empty(Complete(""));
        Assert.False(File.Exists(JobLedger.DefaultPath()));
        Assert.False(Directory.Exists(_home));
    }

    [Fact]
    public void Offers_nothing_when_a_folder_stands_where_the_ledger_should_be()
    {
        Directory.CreateDirectory(JobLedger.DefaultPath());
        Assert.Empty(Complete(""));
    }

    [Fact]
    public void Never_throws_whatever_fails()
    {
        var completer = new JobIdCompleter(() => throw new IOException("The disk is gone."));
        Assert.Empty(StaticSetCompleterTests.Complete(completer, ""));
    }

    [Fact]
    public void Reads_the_ledger_it_is_given()
    {
        var path = Path.Combine(_home, "elsewhere", JobLedger.FileName);
        using (var ledger = new JobLedger(path))
        {
            Submit(ledger, "job-elsewhere", "prompt", JobStatus.Succeeded);
        }
        Assert.Equal(["job-elsewhere"], StaticSetCompleterTests.Complete(new JobIdCompleter(() => path), "").Select(r => r.CompletionText));
        Assert.Empty(Complete(""));
    }

    private static void Submit(JobLedger ledger, string id, string prompt, JobStatus status)
    {
        var intent = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "input-" + id, new VideoRequest { Prompt = prompt }, NoTag);
        var job = new HailuoJob(id, HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Queued);
        ledger.RecordSubmitted(intent, job);
        ledger.RecordStatus(job.With(status: status));
    }

    private static List<System.Management.Automation.CompletionResult> Complete(string word) =>
        StaticSetCompleterTests.Complete(new JobIdCompleter(), word);
}
