using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Hailuo.Models;
using Hailuo.Providers;

namespace Hailuo.Tests.Engine.Providers;

/// <summary>The tolerant readers: every documented shape of every provider's answers maps onto one job model.</summary>
public sealed class AdapterParsingTests
{
    private static HailuoClientOptions Options(HailuoProvider provider) => new(provider) { CloudflareAccountId = "acc" };

    private static ProviderAdapter Adapter(HailuoProvider provider, Action<HailuoClientOptions>? configure = null)
    {
        var options = Options(provider);
        configure?.Invoke(options);
        return HailuoClient.CreateAdapter(options);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static HttpResponseHeaders Headers(int? retryAfter = null)
    {
        var response = new HttpResponseMessage();
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }
        return response.Headers;
    }

    [Theory]
    [InlineData("""{"job_id":"a1","status":"completed","result":"https://cdn.example/v.mp4"}""")]
    [InlineData("""{"id":"a1","status":"succeeded","output":["https://cdn.example/v.mp4"]}""")]
    [InlineData("""{"job_id":"a1","status":"completed","result":{"url":"https://cdn.example/v.mp4"}}""")]
    [InlineData("""{"id":"a1","status":"SUCCEEDED","output":"https://cdn.example/v.mp4"}""")]
    public void Core_today_reads_both_shapes_and_any_output_form(string json)
    {
        var adapter = Adapter(HailuoProvider.CoreToday);
        var job = adapter.ParseCreated(Parse(json), HailuoModels.Standard);
        Assert.Equal("a1", job.Id);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(new Uri("https://cdn.example/v.mp4"), job.VideoUri);
    }

    [Theory]
    [InlineData("pending", JobStatus.Queued)]
    [InlineData("starting", JobStatus.Queued)]
    [InlineData("Preparing", JobStatus.Queued)]
    [InlineData("Queueing", JobStatus.Queued)]
    [InlineData("processing", JobStatus.Running)]
    [InlineData("Processing", JobStatus.Running)]
    [InlineData("running", JobStatus.Running)]
    [InlineData("Success", JobStatus.Succeeded)]
    [InlineData("Fail", JobStatus.Failed)]
    [InlineData("cancelled", JobStatus.Canceled)]
    [InlineData("canceled", JobStatus.Canceled)]
    public void Every_providers_status_words_map_onto_one_model(string word, JobStatus status) =>
        Assert.Equal(status, ProviderAdapter.StatusFromWord(word));

    [Fact]
    public void An_unknown_status_word_keeps_the_known_status()
    {
        var adapter = Adapter(HailuoProvider.CoreToday);
        var before = new HailuoJob("a1", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Running);
        Assert.Equal(JobStatus.Running, adapter.ParseStatus(Parse("""{"job_id":"a1","status":"warming-up"}"""), before).Status);
    }

    [Fact]
    public void Replicate_reports_a_deleted_output_as_expired()
    {
        var adapter = Adapter(HailuoProvider.Replicate);
        var job = adapter.ParseCreated(Parse("""{"id":"p1","status":"succeeded","output":null,"data_removed":true}"""), HailuoModels.Standard);
        Assert.Equal(HailuoErrorKind.Expired, job.Error!.Kind);
        Assert.Null(job.VideoUri);
    }

    [Fact]
    public void Replicate_E005_is_content_filtered()
    {
        var job = Adapter(HailuoProvider.Replicate).ParseCreated(
            Parse("""{"id":"p1","status":"failed","error":"The input or output was flagged as sensitive. (E005)"}"""), HailuoModels.Standard);
        Assert.Equal(HailuoErrorKind.ContentFiltered, job.Error!.Kind);
    }

    [Theory]
    [InlineData(1002, HailuoErrorKind.RateLimited)]
    [InlineData(1004, HailuoErrorKind.Authentication)]
    [InlineData(2049, HailuoErrorKind.Authentication)]
    [InlineData(1008, HailuoErrorKind.InsufficientCredits)]
    [InlineData(1026, HailuoErrorKind.ContentFiltered)]
    [InlineData(1027, HailuoErrorKind.ContentFiltered)]
    [InlineData(2013, HailuoErrorKind.InvalidParameters)]
    [InlineData(1000, HailuoErrorKind.Transient)]
    public void MiniMax_codes_in_a_200_are_errors_of_their_kind(int code, HailuoErrorKind kind)
    {
        var root = Parse($$$"""{"task_id":"","base_resp":{"status_code":{{{code}}},"status_msg":"msg"}}""");
        var error = Adapter(HailuoProvider.MiniMax).Classify(HttpStatusCode.OK, root, root.GetRawText(), Headers());
        Assert.Equal(kind, error!.Kind);
        Assert.Equal(code.ToString(), error.Code);
    }

    [Fact]
    public void MiniMax_success_is_not_an_error_and_its_link_comes_from_retrieve()
    {
        var adapter = Adapter(HailuoProvider.MiniMax);
        var root = Parse("""{"task_id":"t1","status":"Success","file_id":"123","base_resp":{"status_code":0,"status_msg":"success"}}""");
        Assert.Null(adapter.Classify(HttpStatusCode.OK, root, "", Headers()));
        var job = adapter.ParseStatus(root, new HailuoJob("t1", HailuoProvider.MiniMax, HailuoModels.Standard, JobStatus.Running));
        Assert.Equal("123", job.FileId);
        Assert.False(adapter.StatusGivesVideoUri);
        Assert.Contains("file_id=123", adapter.BuildRetrieve(job)!.Uri.Query);
        Assert.Equal(new Uri("https://cdn.example/x.mp4"),
            adapter.ParseRetrieve(Parse("""{"file":{"file_id":123,"download_url":"https://cdn.example/x.mp4"},"base_resp":{"status_code":0}}""")));
    }

    [Theory]
    [InlineData(401, 10000, HailuoErrorKind.Authentication)]
    [InlineData(429, 971, HailuoErrorKind.RateLimited)]
    [InlineData(429, 3036, HailuoErrorKind.InsufficientCredits)]
    [InlineData(400, 5006, HailuoErrorKind.InvalidParameters)]
    [InlineData(500, 3043, HailuoErrorKind.Transient)]
    public void Cloudflare_envelope_errors_map_by_code(int status, int code, HailuoErrorKind kind)
    {
        var root = Parse($$$"""{"result":null,"success":false,"errors":[{"code":{{{code}}},"message":"m"}],"messages":[]}""");
        Assert.Equal(kind, Adapter(HailuoProvider.Cloudflare).Classify((HttpStatusCode)status, root, "", Headers())!.Kind);
    }

    [Fact]
    public void A_cloudflare_run_is_the_documented_one_and_its_answer_is_the_finished_job()
    {
        var adapter = Adapter(HailuoProvider.Cloudflare);
        Assert.True(adapter.CreateWaitsForVideo);
        var run = adapter.BuildCreate(new VideoRequest { Prompt = "Fireworks" }, HailuoModels.Standard, null);
        Assert.DoesNotContain("queueRequest", run.Uri.Query);
        Assert.StartsWith("{\"prompt\":", System.Text.Encoding.UTF8.GetString(run.JsonBody!));
        Assert.True(run.Timeout > new HailuoClientOptions(HailuoProvider.Cloudflare).AttemptTimeout, "the run holds for a whole generation");

        // Seed 003's output schema: status, task_id and video; only task_id is required.
        var job = adapter.ParseCreated(Parse("""{"result":{"status":"Success","task_id":"t-1","video":"https://cdn.example/t-1.mp4"},"success":true,"errors":[],"messages":[]}"""), HailuoModels.Standard);
        Assert.Equal(("t-1", JobStatus.Succeeded, "https://cdn.example/t-1.mp4"), (job.Id, job.Status, job.VideoUri?.ToString()));
        var bare = adapter.ParseCreated(Parse("""{"result":{"task_id":"t-2","video":"https://cdn.example/t-2.mp4"},"success":true,"errors":[],"messages":[]}"""), HailuoModels.Standard);
        Assert.Equal(JobStatus.Succeeded, bare.Status);
        var early = adapter.ParseCreated(Parse("""{"result":{"task_id":"t-3","status":"Processing"},"success":true,"errors":[],"messages":[]}"""), HailuoModels.Standard);
        Assert.Equal((JobStatus.Failed, HailuoErrorKind.Protocol), (early.Status, early.Error!.Kind));
    }

    [Fact]
    public void Cloudflares_batch_api_takes_a_requests_array_and_is_polled_by_its_request_id()
    {
        var adapter = Adapter(HailuoProvider.Cloudflare, o => o.CloudflareBatch = true);
        Assert.False(adapter.CreateWaitsForVideo);
        var create = adapter.BuildCreate(new VideoRequest { Prompt = "Fireworks" }, HailuoModels.Standard, null);
        Assert.Equal("?queueRequest=true", create.Uri.Query);
        Assert.StartsWith("{\"requests\":[{\"prompt\":", System.Text.Encoding.UTF8.GetString(create.JsonBody!));

        var job = adapter.ParseCreated(Parse("""{"result":{"status":"queued","request_id":"r-1","model":"minimax/hailuo-2.3"},"success":true,"errors":[],"messages":[]}"""), HailuoModels.Standard);
        Assert.Equal(("r-1", JobStatus.Queued), (job.Id, job.Status));
        var poll = adapter.BuildStatus(job);
        Assert.Equal((HttpMethod.Post, "?queueRequest=true", false), (poll.Method, poll.Uri.Query, poll.IsCreate));
        Assert.Equal("""{"request_id":"r-1"}""", System.Text.Encoding.UTF8.GetString(poll.JsonBody!));

        var running = adapter.ParseStatus(Parse("""{"result":{"status":"running","request_id":"r-1"},"success":true,"errors":[],"messages":[]}"""), job);
        Assert.Equal(JobStatus.Running, running.Status);
        var done = adapter.ParseStatus(Parse("""{"result":{"responses":[{"id":0,"result":{"status":"Success","task_id":"t-1","video":"https://cdn.example/t-1.mp4"},"success":true,"external_reference":null}],"usage":{}},"success":true,"errors":[],"messages":[]}"""), job);
        Assert.Equal(("r-1", JobStatus.Succeeded, "t-1", "https://cdn.example/t-1.mp4"), (done.Id, done.Status, done.TaskId, done.VideoUri?.ToString()));
        var refused = adapter.ParseStatus(Parse("""{"result":{"responses":[{"id":0,"result":{"status":"Fail","task_id":"t-1"},"success":false,"errors":[{"code":5016,"message":"flagged"}]}]},"success":true,"errors":[],"messages":[]}"""), job);
        Assert.Equal((JobStatus.Failed, HailuoErrorKind.ContentFiltered), (refused.Status, refused.Error!.Kind));
    }

    [Fact]
    public void Retry_after_takes_the_longer_of_the_header_and_the_body()
    {
        var adapter = Adapter(HailuoProvider.Replicate);
        var root = Parse("""{"retry_after":2.5}""");
        Assert.Equal(TimeSpan.FromSeconds(3), adapter.RetryAfter(Headers(3), root));
        Assert.Equal(TimeSpan.FromSeconds(2.5), adapter.RetryAfter(Headers(), root));
        Assert.Null(adapter.RetryAfter(Headers(), Parse("{}")));
    }

    [Fact]
    public void A_retry_after_date_is_counted_from_the_clients_clock()
    {
        // A clock years from the machine's: a date 90 s past it is 90 s only when counted from the client's clock.
        var clock = new FakeTimeProvider(new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var adapter = Adapter(HailuoProvider.CoreToday, options => options.TimeProvider = clock);
        using var response = new HttpResponseMessage();
        response.Headers.RetryAfter = new RetryConditionHeaderValue(clock.GetUtcNow().AddSeconds(90));
        Assert.Equal(TimeSpan.FromSeconds(90), adapter.RetryAfter(response.Headers, null));
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday, """{"job_id":"job_abc123","status":"pend""", "job_abc123")]
    [InlineData(HailuoProvider.Replicate, """{"id":"r8abcd","model":"minimax/hail""", "r8abcd")]
    [InlineData(HailuoProvider.MiniMax, """{"task_id":"1069161122","base_re<html>""", "1069161122")]
    [InlineData(HailuoProvider.CoreToday, """{"status":"pend""", null)]
    public void A_damaged_create_answer_still_yields_its_id(HailuoProvider provider, string body, string? id) =>
        Assert.Equal(id, Adapter(provider).SalvageId(body));

    [Fact]
    public void Requests_follow_each_providers_spelling()
    {
        var request = new VideoRequest { Prompt = "p", Resolution = "1080P", Duration = 6, FastPretreatment = true };
        string Body(HailuoProvider provider) =>
            System.Text.Encoding.UTF8.GetString(Adapter(provider).BuildCreate(request, HailuoModels.Standard, null).JsonBody!);
        Assert.Contains("\"resolution\":\"1080p\"", Body(HailuoProvider.CoreToday));
        Assert.Contains("\"model\":\"minimax/hailuo-2.3\"", Body(HailuoProvider.CoreToday));
        Assert.Contains("\"resolution\":\"1080P\"", Body(HailuoProvider.MiniMax));
        Assert.Contains("\"model\":\"MiniMax-Hailuo-2.3\"", Body(HailuoProvider.MiniMax));
        Assert.Contains("\"fast_pretreatment\":true", Body(HailuoProvider.Cloudflare));
        Assert.Contains("\"resolution\":\"1080P\"", Body(HailuoProvider.Cloudflare));
        Assert.DoesNotContain("fast_pretreatment", Body(HailuoProvider.Replicate));
        Assert.EndsWith("/models/minimax/hailuo-2.3-fast/predictions", Adapter(HailuoProvider.Replicate).BuildCreate(request, HailuoModels.Fast, "https://x/y.png").Uri.AbsolutePath);
    }
}
