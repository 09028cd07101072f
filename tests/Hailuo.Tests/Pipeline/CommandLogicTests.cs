using Hailuo.Connection;
using Hailuo.Ledger;
using Hailuo.Media;
using Hailuo.Models;
using Hailuo.Pipeline;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Pipeline;

/// <summary>The cmdlets' logic, driven without PowerShell through a recording output.</summary>
public sealed class CommandLogicTests
{
    private static IEnumerable<RowInput> Rows(int count, string prefix = "Scene") =>
        Enumerable.Range(1, count).Select(i => CommandHarness.Row(i, $"{prefix} {i}", tag: new() { ["shot"] = $"S{i:00}" }));

    [Fact]
    public async Task The_main_job_streams_rows_to_files_with_every_write_on_the_pipeline_thread()
    {
        await using var h = await CommandHarness.StartAsync();
        // As in the pipeline, Wait gets only what New wrote, and Save only what Wait wrote: with one output for all
        // three, a job Wait had already written came back to it as input whenever one finished while rows still went in.
        var submitted = new RecordingOutput();
        var output = new RecordingOutput();
        var folder = Path.Combine(h.Engine.Folder, "videos");

        // Four creates in flight at most: rows wait for room, and jobs come out while rows still go in.
        using var submit = new VideoSubmission(submitted, h.Connection, new VideoSubmissionOptions { MaxPendingSubmits = 4 }, CancellationToken.None);
        using var wait = new WaitBatch(output, h.Connection, new WaitBatchOptions(), CancellationToken.None);
        using var save = new SaveBatch(output, h.Connection, new SaveBatchOptions { Path = folder, FileNameTemplate = "{index:00}-{shot}" }, CancellationToken.None);
        var handedToWait = 0;
        foreach (var row in Rows(12))
        {
            submit.Process(row);
            foreach (var job in submitted.Jobs.Skip(handedToWait).ToList())
            {
                wait.Add(job.Job, job.Index);
                handedToWait++;
            }
        }
        submit.Complete();
        foreach (var job in submitted.Jobs.Skip(handedToWait).ToList())
        {
            wait.Add(job.Job, job.Index);
        }
        wait.Complete();
        foreach (var done in output.Jobs.Where(j => j.Job.IsFinal).ToList())
        {
            save.Add(done.Job, done.Index);
        }
        save.Complete();

        Assert.Empty(submitted.WrongThread);
        Assert.Empty(output.WrongThread);
        Assert.Empty(submitted.Errors);
        Assert.Empty(output.Errors);
        Assert.Equal(12, submitted.Jobs.Count());
        var saved = output.Objects.OfType<SavedVideo>().OrderBy(s => s.Index).ToList();
        Assert.Equal(12, saved.Count);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => Path.Combine(folder, $"{i:00}-S{i:00}.mp4")), saved.Select(s => s.Path));
        Assert.All(saved, s => Assert.Equal(1366, Mp4Inspector.Inspect(s.Path).Width));
        Assert.Equal(12, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "creates"));
        Assert.True(handedToWait > 0, "jobs were written while rows were still being submitted");
    }

    [Fact]
    public async Task Rows_with_the_same_input_pay_once_and_each_gets_its_own_file_with_its_own_columns()
    {
        await using var h = await CommandHarness.StartAsync();
        var output = new RecordingOutput();
        var folder = Path.Combine(h.Engine.Folder, "videos");
        RowInput[] rows =
        [
            CommandHarness.Row(1, "A lighthouse at dusk", tag: new() { ["shot"] = "wide" }),
            CommandHarness.Row(2, "A lighthouse at dusk", tag: new() { ["shot"] = "again" }),
        ];

        var submitted = h.Submit(output, rows);
        using (var wait = new WaitBatch(output, h.Connection, new WaitBatchOptions(), CancellationToken.None))
        {
            foreach (var job in submitted)
            {
                wait.Add(job.Job, job.Index);
            }
            wait.Complete();
        }
        var waited = output.Jobs.Skip(submitted.Count).ToList();
        using (var save = new SaveBatch(output, h.Connection, new SaveBatchOptions { Path = folder, FileNameTemplate = "{index}-{shot}" }, CancellationToken.None))
        {
            foreach (var job in waited)
            {
                save.Add(job.Job, job.Index);
            }
            save.Complete();
        }

        Assert.Empty(output.Errors);
        Assert.Single(submitted.Select(j => j.Job.Id).Distinct());
        Assert.Equal([(1L, "wide"), (2L, "again")], waited.OrderBy(j => j.Index).Select(j => (j.Index, j.Job.Tag["shot"]!)));
        var saved = output.Objects.OfType<SavedVideo>().OrderBy(s => s.Index).Select(s => Path.GetFileName(s.Path));
        Assert.Equal(["1-wide.mp4", "2-again.mp4"], saved);
        Assert.Equal(1, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "creates"));
        Assert.Empty(output.WrongThread);
    }

    [Fact]
    public async Task A_row_whose_video_cannot_be_saved_is_an_error_not_a_silent_loss()
    {
        await using var h = await CommandHarness.StartAsync();
        var output = new RecordingOutput();
        // -Path names a file, so the folder cannot be made: found only after the video is paid for and done.
        var notAFolder = Path.Combine(h.Engine.Folder, "a-file");
        File.WriteAllText(notAFolder, "");

        h.Submit(output, Rows(1), new VideoSubmissionOptions { Wait = true, Path = notAFolder });

        var error = Assert.Single(output.Errors);
        Assert.StartsWith("Row 1: Waiting for or saving this row's video failed: IOException", error.Message);
        Assert.Empty(output.WrongThread);
    }

    [Fact]
    public async Task A_job_the_tracker_stops_watching_is_an_error_not_a_silent_loss()
    {
        await using var h = await CommandHarness.StartAsync(timeScale: 1);
        var output = new RecordingOutput();
        var job = Assert.Single(h.Submit(output, Rows(1)));

        using var wait = new WaitBatch(output, h.Connection, new WaitBatchOptions { ShowProgress = false }, CancellationToken.None);
        wait.Add(job.Job, job.Index);
        h.Connection.GetClient().Tracker.Forget(job.Job.Id);
        wait.Complete();

        var error = Assert.Single(output.Errors);
        Assert.Equal($"Waiting for job {job.Job.Id} stopped: the session that watched it was closed. The job itself goes on at {job.Job.Provider}.", error.Message);
        Assert.IsType<JobResult>(error.Target);
    }

    [Fact]
    public async Task A_bad_row_is_an_error_naming_the_row_and_the_rest_go_on()
    {
        await using var h = await CommandHarness.StartAsync();
        var output = new RecordingOutput();
        var rows = new[] { CommandHarness.Row(1, "Good one"), CommandHarness.Row(2, ""), CommandHarness.Row(3, "Good two", duration: 7), CommandHarness.Row(4, "Good three") };

        var jobs = h.Submit(output, rows);

        Assert.Equal([1L, 4L], jobs.Select(j => j.Index).Order());
        Assert.Equal(2, output.Errors.Count);
        Assert.StartsWith("Row 2:", output.Errors[0].Message);
        Assert.Contains("Prompt", output.Errors[0].Message);
        Assert.Equal("row 2", output.Errors[0].Target);
        Assert.Equal(CommandErrorCategory.InvalidArgument, output.Errors[0].Category);
        Assert.StartsWith("Row 3:", output.Errors[1].Message);
        Assert.Contains("Duration", output.Errors[1].Message);
        Assert.Equal(2, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "createRequests"));
    }

    [Fact]
    public async Task WhatIf_sends_nothing_and_estimates_the_credits()
    {
        await using var h = await CommandHarness.StartAsync();
        var output = new RecordingOutput { Approve = false };

        h.Submit(output, Rows(3));

        Assert.Empty(output.Jobs);
        Assert.All(output.Confirmations, c => Assert.Contains("420 credits", c.Action));
        Assert.Contains(output.Warnings, w => w.Contains("3 video(s)") && w.Contains("1,260 credits"));
        Assert.Equal(0, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "requests"));
    }

    [Fact]
    public async Task MaxCredits_stops_the_batch_before_the_budget_is_overspent()
    {
        await using var h = await CommandHarness.StartAsync();
        var output = new RecordingOutput();

        var jobs = h.Submit(output, Rows(5), new VideoSubmissionOptions { MaxCredits = 900 });

        Assert.Equal(2, jobs.Count);
        var error = Assert.Single(output.Errors);
        Assert.Equal("Hailuo.MaxCreditsReached", error.ErrorId);
        Assert.Contains(output.Warnings, w => w.Contains("3 row(s)"));
        Assert.Equal(2, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "creates"));
    }

    [Fact]
    public async Task Running_the_same_rows_again_reuses_their_jobs_and_says_so_and_Force_resubmits()
    {
        await using var h = await CommandHarness.StartAsync();
        var first = h.Submit(new RecordingOutput(), Rows(3));

        var output = new RecordingOutput();
        var again = h.Submit(output, Rows(3));
        var forced = h.Submit(new RecordingOutput(), Rows(3), new VideoSubmissionOptions { Force = true });

        Assert.All(again, j => Assert.True(j.Job.Reused));
        Assert.Equal(first.Select(j => j.Job.Id).Order(), again.Select(j => j.Job.Id).Order());
        Assert.Equal(3, output.Verbose.Count(v => v.Contains("it is used again, not paid again")));
        Assert.All(forced, j => Assert.False(j.Job.Reused));
        Assert.Equal(6, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "creates"));
    }

    [Fact]
    public async Task A_failed_job_is_written_with_its_error_and_is_not_an_error_record()
    {
        await using var h = await CommandHarness.StartAsync();
        await h.Emulator.SetFaultsAsync("filter=1");
        var output = new RecordingOutput();
        var jobs = h.Submit(output, Rows(2));

        using var wait = new WaitBatch(output, h.Connection, new WaitBatchOptions(), CancellationToken.None);
        foreach (var job in jobs)
        {
            wait.Add(job.Job, job.Index);
        }
        wait.Complete();

        var failed = output.Jobs.Where(j => j.Job.Status == JobStatus.Failed).ToList();
        Assert.Equal(2, failed.Count);
        Assert.Empty(output.Errors);
        Assert.All(failed, j =>
        {
            Assert.Equal(HailuoErrorKind.ContentFiltered, j.Job.Error!.Kind);
            Assert.Equal(HailuoRemedy.ChangeContent, j.Job.Error.Remedy);
        });
        Assert.Empty(output.WrongThread);
    }

    [Fact]
    public async Task Wait_with_a_timeout_returns_what_finished_and_Any_returns_the_first()
    {
        await using var h = await CommandHarness.StartAsync(timeScale: 1);
        var jobs = h.Submit(new RecordingOutput(), Rows(2));

        var output = new RecordingOutput();
        using (var wait = new WaitBatch(output, h.Connection, new WaitBatchOptions { Timeout = TimeSpan.FromMilliseconds(300) }, CancellationToken.None))
        {
            jobs.ForEach(j => wait.Add(j.Job, j.Index));
            wait.Complete();
        }
        Assert.Empty(output.Jobs);
        Assert.Contains(output.Progress, p => p.Status.Contains("2 running") || p.Status.Contains("queued"));

        await using var fast = await CommandHarness.StartAsync();
        var quick = fast.Submit(new RecordingOutput(), Rows(3));
        var any = new RecordingOutput();
        using (var wait = new WaitBatch(any, fast.Connection, new WaitBatchOptions { Any = true }, CancellationToken.None))
        {
            quick.ForEach(j => wait.Add(j.Job, j.Index));
            wait.Complete();
        }
        Assert.Single(any.Jobs);
    }

    [Fact]
    public async Task Saving_twice_skips_the_identical_files()
    {
        await using var h = await CommandHarness.StartAsync();
        var folder = Path.Combine(h.Engine.Folder, "out");
        var jobs = h.Submit(new RecordingOutput(), Rows(2));

        List<SavedVideo> Save()
        {
            var output = new RecordingOutput();
            using var save = new SaveBatch(output, h.Connection, new SaveBatchOptions { Path = folder }, CancellationToken.None);
            jobs.ForEach(j => save.Add(j.Job, j.Index));
            save.Complete();
            Assert.Empty(output.Errors);
            return output.Objects.OfType<SavedVideo>().ToList();
        }

        var first = Save();
        var second = Save();

        Assert.All(first, s => Assert.False(s.Skipped));
        Assert.All(second, s => Assert.True(s.Skipped));
        Assert.Equal(first.Select(s => s.Path).Order(), second.Select(s => s.Path).Order());
    }

    [Fact]
    public async Task Stopping_a_save_leaves_no_partial_file()
    {
        await using var h = await CommandHarness.StartAsync(configure: o => o.VideoBytes = 3L * 1024 * 1024 * 1024);
        var folder = Path.Combine(h.Engine.Folder, "stopped");
        var jobs = h.Submit(new RecordingOutput(), Rows(1));
        using var cts = new CancellationTokenSource();
        var output = new RecordingOutput();
        using var save = new SaveBatch(output, h.Connection, new SaveBatchOptions { Path = folder }, cts.Token);
        save.Add(jobs[0].Job, 1);
        cts.CancelAfter(TimeSpan.FromMilliseconds(400));

        Assert.ThrowsAny<OperationCanceledException>(() => save.Complete());
        await Task.Delay(500);

        Assert.Empty(Directory.Exists(folder) ? Directory.GetFiles(folder) : []);
    }

    [Fact]
    public async Task Wait_and_Path_submit_wait_and_download_in_one_call()
    {
        await using var h = await CommandHarness.StartAsync();
        var output = new RecordingOutput();
        var folder = Path.Combine(h.Engine.Folder, "single");

        h.Submit(output, [CommandHarness.Row(1, "One video, start to finish")], new VideoSubmissionOptions { Wait = true, Path = folder });

        var saved = Assert.Single(output.Objects.OfType<SavedVideo>());
        Assert.True(File.Exists(saved.Path));
        Assert.StartsWith(folder, saved.Path);
    }

    [Fact]
    public async Task A_file_name_the_row_cannot_fill_is_an_error_naming_the_row_once_before_it_is_sent()
    {
        await using var h = await CommandHarness.StartAsync();
        var output = new RecordingOutput();

        h.Submit(output, [CommandHarness.Row(1, "No such column")], new VideoSubmissionOptions { Wait = true, Path = h.Engine.Folder, FileNameTemplate = "{nope}" });

        var error = Assert.Single(output.Errors);
        Assert.StartsWith("Row 1: The file name template '{nope}' uses {nope}, which is not a known token.", error.Message);
        Assert.EndsWith(" Nothing was sent for this row.", error.Message);
        Assert.Equal(0, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "createRequests"));
    }

    [Fact]
    public async Task Stop_asks_first_and_passes_the_cancelled_job_through()
    {
        await using var h = await CommandHarness.StartAsync(timeScale: 1);
        var jobs = h.Submit(new RecordingOutput(), Rows(2));
        var commands = new RecordingOutput { Approve = false };
        new JobActions(commands, h.Connection, CancellationToken.None).Stop(jobs[0].Job, jobs[0].Index, passThru: true);
        Assert.Empty(commands.Jobs);
        Assert.Equal(0, Count(await h.Engine.StatsAsync(HailuoProvider.CoreToday), "cancels"));

        var output = new RecordingOutput();
        new JobActions(output, h.Connection, CancellationToken.None).Stop(jobs[0].Job, jobs[0].Index, passThru: true);

        Assert.Equal(JobStatus.Canceled, Assert.Single(output.Jobs).Job.Status);
        Assert.Contains("Cancel", Assert.Single(output.Confirmations).Action);
    }

    [Fact]
    public async Task Get_refreshes_by_id_and_lists_the_ledger_with_filters()
    {
        await using var h = await CommandHarness.StartAsync();
        var jobs = h.Submit(new RecordingOutput(), Rows(3));
        var output = new RecordingOutput();
        var commands = new JobActions(output, h.Connection, CancellationToken.None);

        commands.Get(jobs[0].Job.Id, null);
        commands.List(new LedgerQuery { TagKey = "shot", TagValue = "S02" });
        commands.Get("no-such-job", null);

        Assert.Equal(jobs[0].Job.Id, output.Jobs.First().Job.Id);
        Assert.Equal(jobs.Single(j => j.Index == 2).Job.Id, output.Jobs.Last().Job.Id);
        Assert.Equal(2, output.Jobs.Count());
        Assert.Equal(CommandErrorCategory.ObjectNotFound, Assert.Single(output.Errors).Category);
    }

    [Fact]
    public void Connection_settings_persist_without_any_secret()
    {
        var folder = Directory.CreateTempSubdirectory("hailuo-config-").FullName;
        try
        {
            var path = Path.Combine(folder, ConnectionStore.FileName);
            ConnectionStore.Save(new ConnectionSettings
            {
                Provider = HailuoProvider.Cloudflare,
                BaseUri = new Uri("https://gateway.example/client/v4"),
                CloudflareAccountId = "acc-1",
                CredentialOrigin = CredentialOrigin.SecretManagement,
                Vault = "MyVault",
                SecretName = "CloudflareToken",
            }, path);

            var loaded = ConnectionStore.Load(path)!;

            Assert.Equal(HailuoProvider.Cloudflare, loaded.Provider);
            Assert.Equal("MyVault", loaded.Vault);
            Assert.Equal("CloudflareToken", loaded.SecretName);
            Assert.Equal(CredentialOrigin.SecretManagement, loaded.CredentialOrigin);
            Assert.DoesNotContain(Tests.Engine.Client.EngineHarness.Secret, File.ReadAllText(path));
            Assert.Null(ConnectionStore.Load(Path.Combine(folder, "missing.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("coretoday", HailuoProvider.CoreToday)]
    [InlineData("core.today", HailuoProvider.CoreToday)]
    [InlineData("Workers AI", HailuoProvider.Cloudflare)]
    [InlineData("MINIMAX", HailuoProvider.MiniMax)]
    public void Providers_parse_as_users_write_them(string text, HailuoProvider provider) =>
        Assert.Equal(provider, HailuoConnection.ParseProvider(text));
}
