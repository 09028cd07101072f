using System.Collections;
using System.Management.Automation;
using Hailuo.Models;
using Hailuo.PowerShell;

namespace Hailuo.Tests.PowerShell;

public sealed class JobInfoConverterTests
{
    private static readonly DateTimeOffset Created = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FromEngine_copies_every_field_of_the_job_and_keeps_the_job()
    {
        var job = FailedJob();

        var info = JobInfoConverter.FromEngine(job, 42);

        Assert.Same(job, info.EngineJob);
        Assert.Equal("job-1", info.Id);
        Assert.Equal("Replicate", info.Provider);
        Assert.Equal("hailuo-2.3-fast", info.Model);
        Assert.Equal("Failed", info.Status);
        Assert.Equal("A cat on a skateboard", info.Prompt);
        Assert.Equal("https://example.test/cat.png", info.FirstFrameImage);
        Assert.Equal(6, info.Duration);
        Assert.Equal("768p", info.Resolution);
        Assert.False(info.PromptOptimizer);
        Assert.True(info.FastPretreatment);
        Assert.Equal("https://example.test/hook", info.CallbackUrl);
        Assert.Equal(new Uri("https://example.test/v.mp4"), info.VideoUri);
        Assert.Equal("file-1", info.FileId);
        Assert.Equal("The output was flagged.", info.Error);
        Assert.Equal("ContentFiltered", info.ErrorKind);
        Assert.Equal(job.Error!.RecommendedAction, info.RecommendedAction);
        Assert.Equal(Created, info.CreatedAt);
        Assert.Equal(Created.AddSeconds(5), info.StartedAt);
        Assert.Equal(Created.AddSeconds(123), info.CompletedAt);
        Assert.Equal(TimeSpan.FromSeconds(123), info.Elapsed);
        Assert.True(info.Reused);
        Assert.Equal("hash-1", info.InputHash);
        Assert.Equal(42, info.Index);
        Assert.Equal("b-roll", info.Tag["category"]);
        Assert.Equal("b-roll", info.Tag["CATEGORY"]);
        Assert.True(info.Tag.ContainsKey("note"));
        Assert.Null(info.Tag["note"]);
    }

    [Fact]
    public void FromEngine_leaves_unknown_request_fields_empty()
    {
        var info = JobInfoConverter.FromEngine(new HailuoJob("job-2", HailuoProvider.MiniMax, HailuoModels.Standard, JobStatus.Queued), 1);
        Assert.Null(info.Prompt);
        Assert.Null(info.Duration);
        Assert.Null(info.Error);
        Assert.Null(info.ErrorKind);
        Assert.Null(info.Elapsed);
        Assert.Empty(info.Tag);
    }

    [Fact]
    public void Elapsed_runs_from_creation_to_completion_or_to_now_while_running()
    {
        var now = Created.AddMinutes(2);
        var running = new HailuoJob("j", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Running).With(createdAt: Created);
        Assert.Equal(TimeSpan.FromMinutes(2), JobInfoConverter.Elapsed(running, now));
        Assert.Equal(TimeSpan.FromSeconds(30), JobInfoConverter.Elapsed(running.With(completedAt: Created.AddSeconds(30)), now));
        // Only a start known: counted from the start.
        var started = new HailuoJob("j", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Running).With(startedAt: Created.AddSeconds(60));
        Assert.Equal(TimeSpan.FromSeconds(60), JobInfoConverter.Elapsed(started, now));
        // Final without a completion time, or nothing known: no figure rather than a wrong one.
        Assert.Null(JobInfoConverter.Elapsed(running.With(status: JobStatus.Failed), now));
        Assert.Null(JobInfoConverter.Elapsed(new HailuoJob("j", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Queued), now));
        // Clocks that disagree never make it negative.
        Assert.Equal(TimeSpan.Zero, JobInfoConverter.Elapsed(running.With(completedAt: Created.AddSeconds(-5)), now));
    }

    [Fact]
    public void ToPipelineObject_adds_each_tag_entry_as_a_note_property_unless_a_property_has_its_name()
    {
        var info = JobInfoConverter.FromEngine(FailedJob(), 1);
        info.Tag["Status"] = "from the csv";
        info.Tag["prompt"] = "from the csv too";

        var written = JobInfoConverter.ToPipelineObject(info);

        Assert.Same(info, written.BaseObject);
        Assert.Equal("b-roll", written.Properties["category"].Value);
        Assert.Null(written.Properties["note"].Value);
        // The class's own properties win; the clashing entries stay in Tag.
        Assert.Equal("Failed", written.Properties["Status"].Value);
        Assert.Equal("A cat on a skateboard", written.Properties["Prompt"].Value);
        Assert.Equal("from the csv", info.Tag["Status"]);
    }

    [Fact]
    public void ToPipelineObject_copes_with_no_tag()
    {
        var info = new HailuoJobInfo { Id = "j", Tag = null! };
        Assert.Same(info, JobInfoConverter.ToPipelineObject(info).BaseObject);
    }

    [Fact]
    public void ToEngine_returns_the_job_the_info_was_made_from()
    {
        var job = FailedJob();
        Assert.Same(job, JobInfoConverter.ToEngine(JobInfoConverter.FromEngine(job, 1)));
    }

    [Fact]
    public void ToEngine_rebuilds_a_job_that_asks_for_the_same_input()
    {
        var job = FailedJob();
        var info = JobInfoConverter.FromEngine(job, 1);
        info.EngineJob = null;

        var rebuilt = JobInfoConverter.ToEngine(info)!;

        Assert.Equal(job.Id, rebuilt.Id);
        Assert.Equal(job.Provider, rebuilt.Provider);
        Assert.Equal(job.Model, rebuilt.Model);
        Assert.Equal(job.Status, rebuilt.Status);
        Assert.Equal(job.VideoUri, rebuilt.VideoUri);
        Assert.Equal(job.FileId, rebuilt.FileId);
        Assert.Equal(job.Error!.Kind, rebuilt.Error!.Kind);
        Assert.Equal(job.Error.Message, rebuilt.Error.Message);
        Assert.Equal(job.Error.RecommendedAction, rebuilt.Error.RecommendedAction);
        Assert.Equal((job.CreatedAt, job.StartedAt, job.CompletedAt), (rebuilt.CreatedAt, rebuilt.StartedAt, rebuilt.CompletedAt));
        Assert.Equal(job.InputHash, rebuilt.InputHash);
        Assert.Equal(job.Reused, rebuilt.Reused);
        Assert.Equal(job.Tag.OrderBy(p => p.Key), rebuilt.Tag.OrderBy(p => p.Key));
        Assert.Equal(InputHash.Compute(job.Provider, job.Request!), InputHash.Compute(rebuilt.Provider, rebuilt.Request!));
    }

    [Fact]
    public void ToEngine_reads_names_in_any_case_and_values_of_any_type()
    {
        var info = new HailuoJobInfo
        {
            Id = " job-9 ",
            Provider = "minimax",
            Model = "MiniMax-Hailuo-2.3-Fast",
            Status = "RUNNING",
            ErrorKind = "contentfiltered",
            Tag = new Hashtable { ["row"] = 3, ["wrapped"] = new PSObject("x"), ["empty"] = null },
        };

        var job = JobInfoConverter.ToEngine(info)!;

        Assert.Equal("job-9", job.Id);
        Assert.Equal(HailuoProvider.MiniMax, job.Provider);
        Assert.Equal(HailuoModels.Fast, job.Model);
        Assert.Equal(JobStatus.Running, job.Status);
        Assert.Equal(HailuoErrorKind.ContentFiltered, job.Error!.Kind);
        Assert.Equal("3", job.Tag["row"]);
        Assert.Equal("x", job.Tag["WRAPPED"]);
        Assert.Null(job.Tag["empty"]);
    }

    [Theory]
    [InlineData(null, "CoreToday")]
    [InlineData(" ", "CoreToday")]
    [InlineData("job-1", null)]
    [InlineData("job-1", "Acme")]
    [InlineData("job-1", "1")]
    public void ToEngine_gives_null_when_id_or_provider_name_no_job(string? id, string? provider) =>
        Assert.Null(JobInfoConverter.ToEngine(new HailuoJobInfo { Id = id, Provider = provider }));

    [Fact]
    public void ToEngine_takes_an_unknown_status_as_queued_and_an_error_without_kind_as_a_failed_job()
    {
        var job = JobInfoConverter.ToEngine(new HailuoJobInfo { Id = "j", Provider = "Replicate", Status = "Exploded", Error = "It broke." })!;
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal(HailuoErrorKind.JobFailed, job.Error!.Kind);
        Assert.Equal("It broke.", job.Error.Message);
        Assert.Equal(HailuoModels.Standard, job.Model);
    }

    private static HailuoJob FailedJob() =>
        new HailuoJob("job-1", HailuoProvider.Replicate, HailuoModels.Fast, JobStatus.Failed).With(
            videoUri: new Uri("https://example.test/v.mp4"),
            fileId: "file-1",
            error: new HailuoError(HailuoErrorKind.ContentFiltered, "The output was flagged.", code: "E005"),
            createdAt: Created,
            startedAt: Created.AddSeconds(5),
            completedAt: Created.AddSeconds(123),
            request: new VideoRequest
            {
                Prompt = "A cat on a skateboard",
                FirstFrameImage = "https://example.test/cat.png",
                Duration = 6,
                Resolution = "768p",
                PromptOptimizer = false,
                FastPretreatment = true,
                CallbackUrl = "https://example.test/hook",
                Model = HailuoModels.Fast,
            },
            inputHash: "hash-1",
            tag: new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["category"] = "b-roll", ["note"] = null },
            reused: true);
}
