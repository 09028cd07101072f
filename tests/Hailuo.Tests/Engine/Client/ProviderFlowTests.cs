using Hailuo.Emulator;
using Hailuo.Media;
using Hailuo.Models;
using Hailuo.Providers;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>Each provider end to end through the engine: create, status, download, and cancel where the provider has one.</summary>
public sealed class ProviderFlowTests
{
    public static TheoryData<HailuoProvider> Providers() => new(ProviderProfiles.All.Select(profile => profile.Provider));

    public static TheoryData<HailuoProvider> ProvidersThatCancel() => new(ProviderProfiles.All.Where(profile => profile.CanCancel).Select(profile => profile.Provider));

    public static TheoryData<HailuoProvider> ProvidersThatCannotCancel() => new(ProviderProfiles.All.Where(profile => !profile.CanCancel).Select(profile => profile.Provider));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Submit_wait_and_download_give_a_verified_video(HailuoProvider provider)
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(provider);

        var job = await client.SubmitAsync(EngineHarness.Request("Two firebenders face off in a dark alley", "1080p"));
        Assert.False(job.Reused);
        Assert.NotEmpty(job.Id);
        Assert.NotNull(job.InputHash);

        var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Succeeded, done.Status);

        var path = Path.Combine(h.Folder, $"{provider}.mp4");
        var result = await client.DownloadAsync(done, path);
        Assert.Equal(path, result.Path);
        var summary = Mp4Inspector.Inspect(path);
        Assert.Equal(1920, summary.Width);
        Assert.Equal(1080, summary.Height);

        var stats = await h.StatsAsync(provider);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(0, Count(stats, "rateLimited"));
        Assert.True(client.Ledger!.FindById(provider, job.Id)!.IsDownloaded);
    }

    [Theory]
    [MemberData(nameof(ProvidersThatCancel))]
    public async Task Cancel_stops_a_running_job(HailuoProvider provider)
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 1);
        var client = h.Client(provider);
        var job = await client.SubmitAsync(EngineHarness.Request("A long walk on the beach"));

        var canceled = await client.CancelAsync(job);

        Assert.Equal(JobStatus.Canceled, canceled.Status);
        Assert.Equal(JobStatus.Canceled, (await client.WaitAsync(job, TimeSpan.FromSeconds(5))).Status);
        Assert.Equal(1, Count(await h.StatsAsync(provider), "cancels"));
        Assert.Equal(JobStatus.Canceled, client.Ledger!.FindById(provider, job.Id)!.Status);
    }

    [Theory]
    [MemberData(nameof(ProvidersThatCannotCancel))]
    public async Task Cancel_on_a_provider_without_one_says_so_and_sends_nothing(HailuoProvider provider)
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 1);
        var client = h.Client(provider);
        // Cloudflare's run answers only once the video is ready: a job it is still making is one its answer has not named yet.
        var job = client.CreateWaitsForVideo
            ? new HailuoJob("1234567", provider, HailuoModels.Standard, JobStatus.Running)
            : await client.SubmitAsync(EngineHarness.Request("A lantern festival"));
        var requestsBefore = Count(await h.StatsAsync(provider), "requests");

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.CancelAsync(job));

        Assert.Equal(HailuoErrorKind.NotSupported, error.Error.Kind);
        Assert.Contains("charged", error.Message);
        Assert.Equal(requestsBefore, Count(await h.StatsAsync(provider), "requests"));
    }

    [Fact]
    public async Task The_download_limits_in_the_client_options_apply_and_the_options_stay_as_given()
    {
        await using var h = await EngineHarness.StartAsync();
        var limits = new Hailuo.Downloads.DownloadOptions { MaxBytes = 4096 };
        var client = h.Client(HailuoProvider.CoreToday, o => o.Download = limits);
        var job = await client.WaitAsync(await client.SubmitAsync(EngineHarness.Request("Too big to keep")), TimeSpan.FromSeconds(30));
        var path = Path.Combine(h.Folder, "too-big.mp4");

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.DownloadAsync(job, path));

        Assert.Contains("limit of 4096 bytes", error.Error.Message);
        Assert.False(File.Exists(path));
        // The client scaled its own copy's backoff to the emulator's clock, not the caller's object.
        Assert.Equal(TimeSpan.FromMilliseconds(200), limits.BackoffBase);
    }

    [Fact]
    public async Task Both_core_today_shapes_are_read()
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o.CoreTodayShape = CoreTodayShape.Predictions);
        var client = h.Client(HailuoProvider.CoreToday);
        var job = await client.SubmitAsync(EngineHarness.Request("A lighthouse"));
        var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30));

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.NotNull(done.VideoUri);
        Assert.NotNull(done.CompletedAt);
        await client.DownloadAsync(done, Path.Combine(h.Folder, "legacy.mp4"));
    }

    [Fact]
    public async Task A_local_image_is_sent_as_a_data_uri()
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(HailuoProvider.Replicate);
        var image = Path.Combine(h.Folder, "frame.png");
        await File.WriteAllBytesAsync(image, Tests.Emulator.TestImages.Png(640, 480));

        var job = await client.SubmitAsync(new VideoRequest { Prompt = "Slowly zoom in", FirstFrameImage = image, Model = HailuoModels.Fast });
        var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30));

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.Replicate), "creates"));
    }

    [Fact]
    public async Task A_content_filtered_job_fails_with_a_clear_error()
    {
        await using var h = await EngineHarness.StartAsync();
        await h.Emulator.SetFaultsAsync("filter=1");
        var client = h.Client(HailuoProvider.Replicate);

        var done = await client.WaitAsync(await client.SubmitAsync(EngineHarness.Request("flagged")), TimeSpan.FromSeconds(30));

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(HailuoErrorKind.ContentFiltered, done.Error!.Kind);
        Assert.Equal(HailuoRemedy.ChangeContent, done.Error.Remedy);
    }

    [Fact]
    public async Task MiniMax_refuses_sensitive_input_at_submission_as_content_filtered()
    {
        await using var h = await EngineHarness.StartAsync();
        await h.Emulator.SetFaultsAsync("filter=1:1");
        var client = h.Client(HailuoProvider.MiniMax);

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(EngineHarness.Request("flagged")));

        Assert.Equal(HailuoErrorKind.ContentFiltered, error.Error.Kind);
        Assert.Equal("1026", error.Error.Code);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.MiniMax), "createRequests"));
    }

    [Fact]
    public async Task Get_job_by_id_reads_it_from_the_provider()
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(HailuoProvider.CoreToday);
        var job = await client.SubmitAsync(EngineHarness.Request("By id"));
        await client.WaitAsync(job, TimeSpan.FromSeconds(30));

        var read = await client.GetJobAsync(job.Id);

        Assert.Equal(job.Id, read.Id);
        Assert.Equal(JobStatus.Succeeded, read.Status);
        Assert.Equal("By id", read.Request!.Prompt);
    }

    [Fact]
    public async Task Get_job_by_an_id_with_spaces_finds_the_ledger_s_job()
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(HailuoProvider.CoreToday);
        var job = await client.SubmitAsync(EngineHarness.Request("Padded id"));

        var read = await client.GetJobAsync($"  {job.Id} ");

        Assert.Equal(job.Id, read.Id);
        Assert.Equal("Padded id", read.Request!.Prompt);
    }

    [Fact]
    public async Task A_job_resumes_from_its_id_in_another_client()
    {
        await using var h = await EngineHarness.StartAsync();
        var first = h.Client(HailuoProvider.CoreToday);
        var submitted = await first.SubmitAsync(EngineHarness.Request("Resumable"));

        // As a runbook does after a restart: only the id is kept.
        var second = h.Client(HailuoProvider.CoreToday);
        var job = await second.WaitAsync(await second.GetJobAsync(submitted.Id));

        Assert.True(job.IsFinal);
        Assert.Equal(submitted.Id, job.Id);
        Assert.Equal(JobStatus.Succeeded, job.Status);
    }
}
