using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using static Hailuo.Tests.Emulator.EmulatorGenericHelpers;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

/// <summary>The /_emulator admin endpoints, run-time configuration, command-line options and the real process.</summary>
public sealed class AdminAndOptionsTests
{
    private const string CT = ProviderNames.CoreToday;
    private const string MM = ProviderNames.MiniMax;

    [Fact]
    public async Task Stats_count_every_request_by_operation()
    {
        await using var emu = await StartAsync(o => o.UrlTtlSeconds = 1e6);
        var (id, url) = await CompletedCoreTodayJobAsync(emu);
        var pollsSoFar = Count(await emu.StatsAsync(CT), "statusPolls");
        await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", CT);
        await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", CT);
        await emu.SendAsync(HttpMethod.Delete, $"coretoday/v1/predictions/{id}", CT);
        await emu.Http.GetByteArrayAsync(url);
        await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, new { model = "minimax/hailuo-2.3", input = new { prompt = "x", duration = 7 } });

        var (_, created) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("A harbour at dusk"));
        var done = await MiniMaxTaskAsync(emu, created!["task_id"]!.GetValue<string>(), "Success");
        await emu.SendAsync(HttpMethod.Get, $"minimax/v1/files/retrieve?file_id={done["file_id"]!.GetValue<string>()}", MM);

        var ct = await emu.StatsAsync(CT);
        Assert.Equal(2, Count(ct, "createRequests"));
        Assert.Equal(1, Count(ct, "creates"));
        Assert.Equal(1, Count(ct, "invalidRequests"));
        Assert.Equal(pollsSoFar + 2, Count(ct, "statusPolls"));
        Assert.Equal(1, Count(ct, "cancels"));
        Assert.Equal(1, Count(ct, "downloads"));
        Assert.Equal(0, Count(ct, "retrieves"));
        Assert.Equal(Count(ct, "createRequests") + Count(ct, "statusPolls") + Count(ct, "cancels") + Count(ct, "downloads"), Count(ct, "requests"));
        Assert.Equal(pollsSoFar + 2, Jobs(ct)[id]!["polls"]!.GetValue<long>());
        Assert.Equal(1, Jobs(ct)[id]!["downloads"]!.GetValue<long>());
        // A finished job is not cancelled by a late DELETE.
        Assert.Equal("Succeeded", Jobs(ct)[id]!["status"]!.GetValue<string>());

        var mm = await emu.StatsAsync(MM);
        Assert.Equal(1, Count(mm, "createRequests"));
        Assert.Equal(1, Count(mm, "retrieves"));
        Assert.Equal(Count(mm, "createRequests") + Count(mm, "statusPolls") + 1, Count(mm, "requests"));
        Assert.Equal(0, Count(await emu.StatsAsync(ProviderNames.Replicate), "requests"));
    }

    [Fact]
    public async Task Reset_zeroes_the_counters_and_job_polls_but_keeps_jobs_downloadable()
    {
        await using var emu = await StartAsync(o => o.UrlTtlSeconds = 1e6);
        var (id, url) = await CompletedCoreTodayJobAsync(emu);
        await emu.Http.GetByteArrayAsync(url);
        await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("A red kite over the sea"));
        var before = await emu.StatsAsync(CT);
        Assert.True(Count(before, "requests") > 0);
        Assert.True(Jobs(before)[id]!["polls"]!.GetValue<int>() > 0);
        Assert.Equal(1, Count(before, "duplicateCreates"));

        var (status, body) = await AdminAsync(emu, HttpMethod.Post, "reset");
        Assert.Equal(200, status);
        Assert.True(body!["reset"]!.GetValue<bool>());

        var after = await emu.StatsAsync(CT);
        foreach (var counter in new[] { "requests", "createRequests", "creates", "statusPolls", "downloads", "bytesSent", "duplicateCreates" })
        {
            Assert.True(Count(after, counter) == 0, $"{counter} is {Count(after, counter)} after a reset");
        }
        Assert.Empty(after["identicalInputs"]!.AsObject());
        var job = Jobs(after)[id]!;
        Assert.Equal(0, job["polls"]!.GetValue<int>());
        Assert.Equal(0, job["downloads"]!.GetValue<int>());
        Assert.Equal("Succeeded", job["status"]!.GetValue<string>());
        Assert.Equal(2, Jobs(after).Count);

        await emu.DownloadVideoAsync(url, 1366, 768);
        var (pollStatus, polled) = await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", CT);
        Assert.Equal(200, pollStatus);
        Assert.Equal("completed", polled!["status"]!.GetValue<string>());
        var counted = await emu.StatsAsync(CT);
        Assert.Equal(1, Count(counted, "downloads"));
        Assert.Equal(1, Jobs(counted)[id]!["downloads"]!.GetValue<int>());
        Assert.Equal(1, Jobs(counted)[id]!["polls"]!.GetValue<int>());
    }

    [Fact]
    public async Task Identical_inputs_are_counted_as_duplicate_creates_whatever_the_key_order()
    {
        await using var emu = await StartAsync();
        var first = JsonNode.Parse("""{"model":"minimax/hailuo-2.3","input":{"prompt":"Same shot","duration":6,"resolution":"768p"}}""")!;
        var reordered = JsonNode.Parse("""{"input":{"resolution":"768p","duration":6,"prompt":"Same shot"},"model":"minimax/hailuo-2.3"}""")!;
        var different = JsonNode.Parse("""{"model":"minimax/hailuo-2.3","input":{"prompt":"Another shot","duration":6,"resolution":"768p"}}""")!;

        var (_, a) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, first);
        var (_, b) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, reordered);
        var (_, c) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, different);

        var stats = await emu.StatsAsync(CT);
        Assert.Equal(3, Count(stats, "creates"));
        Assert.Equal(1, Count(stats, "duplicateCreates"));
        var identical = Assert.Single(stats["identicalInputs"]!.AsObject());
        Assert.Equal(2, identical.Value!.GetValue<long>());
        var jobs = Jobs(stats);
        Assert.Equal(identical.Key, jobs[a!["job_id"]!.GetValue<string>()]!["inputHash"]!.GetValue<string>());
        Assert.Equal(identical.Key, jobs[b!["job_id"]!.GetValue<string>()]!["inputHash"]!.GetValue<string>());
        Assert.NotEqual(identical.Key, jobs[c!["job_id"]!.GetValue<string>()]!["inputHash"]!.GetValue<string>());
    }

    [Fact]
    public async Task Faults_can_be_set_read_and_cleared_and_a_bad_spec_is_refused()
    {
        await using var emu = await StartAsync();
        var (status, set) = await AdminAsync(emu, HttpMethod.Post, "faults", new { spec = "replicate/status:429=0.25:7,5xx=0.1:3" });
        Assert.Equal(200, status);
        Assert.Equal(2, set!["rules"]!.AsArray().Count);

        var (_, read) = await AdminAsync(emu, HttpMethod.Get, "faults");
        var rules = read!["rules"]!.AsArray();
        Assert.Equal(2, rules.Count);
        Assert.Equal("RateLimit", rules[0]!["kind"]!.GetValue<string>());
        Assert.Equal("replicate", rules[0]!["provider"]!.GetValue<string>());
        Assert.Equal("Status", rules[0]!["operation"]!.GetValue<string>());
        Assert.Equal(0.25, rules[0]!["probability"]!.GetValue<double>());
        Assert.Equal(7, rules[0]!["parameter"]!.GetValue<double>());
        Assert.Equal("ServerError", rules[1]!["kind"]!.GetValue<string>());
        Assert.Null(rules[1]!["provider"]);
        Assert.Null(rules[1]!["operation"]);
        Assert.Equal(3, rules[1]!["parameter"]!.GetValue<double>());

        // The rules form round-trips too, with Times.
        var (rulesStatus, _) = await AdminAsync(emu, HttpMethod.Post, "faults", new
        {
            rules = new[] { new { kind = "Expire", probability = 0.5, provider = "minimax", times = 4 } },
        });
        Assert.Equal(200, rulesStatus);
        var (_, readRules) = await AdminAsync(emu, HttpMethod.Get, "faults");
        var only = Assert.Single(readRules!["rules"]!.AsArray())!;
        Assert.Equal("Expire", only["kind"]!.GetValue<string>());
        Assert.Equal(4, only["times"]!.GetValue<int>());

        foreach (var bad in new[] { "bogus=1", "coretoday/5xx=2", "nowhere/5xx=1", "fly:5xx=1", "5xx=abc" })
        {
            var (badStatus, error) = await AdminAsync(emu, HttpMethod.Post, "faults", new { spec = bad });
            Assert.Equal(400, badStatus);
            Assert.Contains(bad, error!["error"]!.GetValue<string>());
        }
        var (notJson, _) = await AdminAsync(emu, HttpMethod.Post, "faults", new { rules = new[] { new { kind = "5xx" } } });
        Assert.Equal(400, notJson);
        foreach (var badRule in new object[]
        {
            new { kind = "ServerError", provider = "nowhere" },
            new { kind = "ServerError", probability = 2.0 },
            new { kind = "Expire", operation = "Create" },
        })
        {
            var (badRuleStatus, badRuleError) = await AdminAsync(emu, HttpMethod.Post, "faults", new { rules = new[] { badRule } });
            Assert.Equal(400, badRuleStatus);
            Assert.False(string.IsNullOrWhiteSpace(badRuleError!["error"]!.GetValue<string>()));
        }
        // A refused spec leaves the rules as they were.
        var (_, unchanged) = await AdminAsync(emu, HttpMethod.Get, "faults");
        Assert.Equal("Expire", Assert.Single(unchanged!["rules"]!.AsArray())!["kind"]!.GetValue<string>());

        var (deleted, cleared) = await AdminAsync(emu, HttpMethod.Delete, "faults");
        Assert.Equal(200, deleted);
        Assert.Empty(cleared!["rules"]!.AsArray());
        var (_, empty) = await AdminAsync(emu, HttpMethod.Get, "faults");
        Assert.Empty(empty!["rules"]!.AsArray());
    }

    [Fact]
    public async Task Config_changes_take_effect_at_run_time_and_a_bad_rate_limit_key_is_refused()
    {
        // Time scale 1 makes the rate window a real minute, so the second create is surely inside it.
        await using var emu = await StartAsync(o => o.TimeScale = 1);
        var (_, initial) = await AdminAsync(emu, HttpMethod.Get, "config");
        Assert.Equal(5, initial!["concurrency"]![MM]!.GetValue<int>());
        Assert.Equal(5, initial["rateLimits"]!["minimax.create"]!.GetValue<int>());

        var (status, changed) = await AdminAsync(emu, HttpMethod.Post, "config", new
        {
            concurrency = new Dictionary<string, int> { [CT] = 3 },
            rateLimits = new Dictionary<string, int> { ["minimax.create"] = 1 },
        });
        Assert.Equal(200, status);
        Assert.Equal(3, changed!["concurrency"]![CT]!.GetValue<int>());
        Assert.Equal(5, changed["concurrency"]![MM]!.GetValue<int>());
        Assert.Equal(1, changed["rateLimits"]!["minimax.create"]!.GetValue<int>());
        var (_, reread) = await AdminAsync(emu, HttpMethod.Get, "config");
        Assert.Equal(3, reread!["concurrency"]![CT]!.GetValue<int>());

        var (_, ok) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("one"));
        var (_, limited) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("two"));
        Assert.Equal(0, ok!["base_resp"]!["status_code"]!.GetValue<int>());
        Assert.Equal(1002, limited!["base_resp"]!["status_code"]!.GetValue<int>());

        // 0 turns the limit off.
        await SetConfigAsync(emu, new { rateLimits = new Dictionary<string, int> { ["minimax.create"] = 0 } });
        var (_, unlimited) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("three"));
        Assert.Equal(0, unlimited!["base_resp"]!["status_code"]!.GetValue<int>());

        var (badStatus, error) = await AdminAsync(emu, HttpMethod.Post, "config", new
        {
            rateLimits = new Dictionary<string, int> { ["minimax.burst"] = 9 },
            concurrency = new Dictionary<string, int> { [CT] = 7 },
        });
        Assert.Equal(400, badStatus);
        Assert.Contains("minimax.burst", error!["error"]!.GetValue<string>());
        var (_, after) = await AdminAsync(emu, HttpMethod.Get, "config");
        Assert.Null(after!["rateLimits"]!["minimax.burst"]);
        Assert.Equal(3, after["concurrency"]![CT]!.GetValue<int>());
        Assert.Equal(0, after["rateLimits"]!["minimax.create"]!.GetValue<int>());

        var (badScale, _) = await AdminAsync(emu, HttpMethod.Post, "config", new { timeScale = 0 });
        Assert.Equal(400, badScale);
    }

    [Fact]
    public async Task With_concurrency_1_a_second_job_waits_until_the_first_completes()
    {
        // Time scale 0.02: each job takes about 2.4 s, far longer than it takes to create the second.
        await using var emu = await StartAsync(o =>
        {
            o.TimeScale = 0.02;
            o.Concurrency[CT] = 1;
        });
        var (_, first) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("first"));
        var (_, second) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("second"));
        var firstId = first!["job_id"]!.GetValue<string>();
        var secondId = second!["job_id"]!.GetValue<string>();
        Assert.Equal("processing", first["status"]!.GetValue<string>());
        Assert.Equal("pending", second["status"]!.GetValue<string>());
        Assert.Null(second["started_at"]);

        // While the first has not completed, the second stays pending. The second is read first: if
        // the first is still running after that read, it was running during it too.
        await EventuallyAsync(async () =>
        {
            var b = (await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{secondId}", CT)).Body!;
            var a = (await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{firstId}", CT)).Body!;
            var firstDone = a["status"]!.GetValue<string>() == "completed";
            if (!firstDone)
            {
                Assert.Equal("pending", b["status"]!.GetValue<string>());
            }
            return firstDone;
        }, done => done, "the first job to complete");

        var firstDoneJob = await CoreTodayJobAsync(emu, firstId, "completed");
        var secondDoneJob = await CoreTodayJobAsync(emu, secondId, "completed");
        var firstCompleted = Time(firstDoneJob["completed_at"]);
        var secondStarted = Time(secondDoneJob["started_at"]);
        Assert.True(secondStarted >= firstCompleted, $"second started {secondStarted:O}, first completed {firstCompleted:O}");
        Assert.True(Time(secondDoneJob["completed_at"]) > secondStarted);
    }

    [Fact]
    public async Task Raising_concurrency_at_run_time_starts_a_queued_job()
    {
        // Time scale 1: the running job takes minutes, so only the new limit can start the queued one.
        await using var emu = await StartAsync(o =>
        {
            o.TimeScale = 1;
            o.Concurrency[CT] = 1;
        });
        await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("first"));
        var (_, second) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("second"));
        var secondId = second!["job_id"]!.GetValue<string>();
        Assert.Equal("pending", second["status"]!.GetValue<string>());

        await SetConfigAsync(emu, new { concurrency = new Dictionary<string, int> { [CT] = 2 } });

        // One look is enough: every read moves the board on, and at time scale 1 polling in a loop would hit the read limit.
        var (status, running) = await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{secondId}", CT);
        Assert.Equal(200, status);
        Assert.Equal("processing", running!["status"]!.GetValue<string>());
        Assert.NotNull(running["started_at"]);
    }

    [Fact]
    public async Task MiniMax_allows_five_creates_a_minute_then_answers_1002_until_the_window_passes()
    {
        // Time scale 0.05: MiniMax's minute is 3 s here, long enough that six creates surely fit in it.
        await using var emu = await StartAsync(o => o.TimeScale = 0.05);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            var (status, body) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody($"shot {i}"));
            Assert.Equal(200, status);
            Assert.Equal(0, body!["base_resp"]!["status_code"]!.GetValue<int>());
        }
        var (sixthStatus, sixth) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("shot 5"));
        Assert.Equal(200, sixthStatus);
        Assert.Equal(1002, sixth!["base_resp"]!["status_code"]!.GetValue<int>());
        Assert.Equal(5, Count(await emu.StatsAsync(MM), "creates"));

        var later = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("shot 6"))).Body!,
            b => b["base_resp"]!["status_code"]!.GetValue<int>() == 0, "the rate window to pass");
        clock.Stop();

        Assert.NotEqual("", later["task_id"]!.GetValue<string>());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(20), $"a create got through after {clock.Elapsed}");
        var stats = await emu.StatsAsync(MM);
        Assert.Equal(6, Count(stats, "creates"));
        Assert.True(Count(stats, "rateLimited") >= 1);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://10.0.0.1:5080")]
    [InlineData("http://192.168.1.20:5080")]
    [InlineData("http://example.com:5080")]
    [InlineData("http://127.0.0.1:5080;http://0.0.0.0:5081")]
    public void Parse_refuses_non_loopback_urls_and_names_127_0_0_1(string urls)
    {
        var error = Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(["--urls", urls]));
        Assert.Contains("127.0.0.1", error.Message);
    }

    [Theory]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://127.0.0.1:5080;http://[::1]:5081")]
    public void Parse_accepts_loopback_urls(string urls)
    {
        var options = EmulatorOptions.Parse(["--urls", urls]);
        Assert.Equal(urls.Split(';'), options.Urls);
    }

    [Fact]
    public void Parse_reads_the_documented_options()
    {
        var options = EmulatorOptions.Parse([
            "--time-scale", "0.01", "--seed", "42", "--faults", "5xx=0.1:3,replicate/status:429=0.05",
            "--video-bytes", "500MB", "--concurrency", "minimax=2", "--rate-limits", "replicate.create=10",
            "--url-ttl", "120", "--credits", "840", "--coretoday-shape", "predictions",
        ]);
        Assert.Equal(0.01, options.TimeScale);
        Assert.Equal(42, options.Seed);
        Assert.Equal(500L * 1024 * 1024, options.VideoBytes);
        Assert.Equal(2, options.Concurrency[MM]);
        Assert.Equal(10, options.Concurrency[CT]);
        Assert.Equal(10, options.RateLimits["replicate.create"]);
        Assert.Equal(5, options.RateLimits["minimax.create"]);
        Assert.Equal(120, options.UrlTtlSeconds);
        Assert.Equal(840, options.Credits);
        Assert.Equal(CoreTodayShape.Predictions, options.CoreTodayShape);
        Assert.Equal(2, Hailuo.Emulator.Core.FaultRule.ParseSpec(options.Faults).Count);

        var all = EmulatorOptions.Parse(["--concurrency", "1"]);
        Assert.All(ProviderNames.All, p => Assert.Equal(1, all.Concurrency[p]));
    }

    [Theory]
    [InlineData("500MB", 500L * 1024 * 1024)]
    [InlineData("1.5GB", 3L * 512 * 1024 * 1024)]
    [InlineData("64KB", 64L * 1024)]
    [InlineData("1000", 1000L)]
    [InlineData("12b", 12L)]
    public void Sizes_parse(string text, long bytes) => Assert.Equal(bytes, EmulatorOptions.ParseSize(text));

    [Theory]
    [InlineData("--colour", "blue")]
    [InlineData("--faults", "bogus=1")]
    [InlineData("--faults", "5xx=1.5")]
    [InlineData("--video-bytes", "lots")]
    [InlineData("--video-bytes", "-5MB")]
    [InlineData("--time-scale", "0")]
    [InlineData("--rate-limits", "minimax.burst=3")]
    [InlineData("--coretoday-shape", "tables")]
    [InlineData("--concurrency", "nowhere=3")]
    [InlineData("--concurrency", "coretoday=0")]
    public void Parse_refuses_bad_options_with_ArgumentException(string name, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse([name, value]));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Parse_names_an_unknown_option_and_a_missing_value()
    {
        Assert.Contains("--colour", Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(["--colour", "blue"])).Message);
        Assert.Contains("--seed", Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(["--seed"])).Message);
        Assert.Contains("stray", Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(["stray"])).Message);
    }

    [Fact]
    public async Task The_emulator_process_prints_its_url_and_answers_health()
    {
        using var process = StartEmulatorProcess("--urls", "http://127.0.0.1:0", "--time-scale", "0.01");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            string? url = null;
            var seen = new List<string>();
            while (url is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The emulator exited before printing its URL. Output: {string.Join(" | ", seen)}; errors: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
                seen.Add(line);
                const string prefix = "Hailuo emulator listening on ";
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    url = line[prefix.Length..].Trim();
                }
            }

            Assert.Matches(@"^http://127\.0\.0\.1:\d+$", url);
            Assert.NotEqual(0, new Uri(url).Port);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var health = JsonNode.Parse(await http.GetStringAsync(url + "/_emulator/health"))!;
            Assert.Equal("ok", health["status"]!.GetValue<string>());
            var config = JsonNode.Parse(await http.GetStringAsync(url + "/_emulator/config"))!;
            Assert.Equal(0.01, config["timeScale"]!.GetValue<double>());
        }
        finally
        {
            await StopAsync(process);
        }
    }

    [Fact]
    public async Task The_emulator_process_refuses_a_public_address_with_exit_code_2()
    {
        using var process = StartEmulatorProcess("--urls", "http://0.0.0.0:1");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(2, process.ExitCode);
            var errors = await stderr;
            Assert.Contains("loopback", errors);
            Assert.Contains("127.0.0.1", errors);
            Assert.DoesNotContain("listening", await stdout);
        }
        finally
        {
            await StopAsync(process);
        }
    }

    private static DateTimeOffset Time(JsonNode? iso) =>
        DateTimeOffset.Parse(iso!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static Process StartEmulatorProcess(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Hailuo.Emulator.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project should copy the emulator next to its own assembly.");
        Assert.True(File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), "the emulator's runtimeconfig.json is missing next to the tests");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the emulator process.");
    }

    /// <summary>The dotnet host running these tests, so the child uses the same runtime.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        return "dotnet";
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Leave it to the OS; the test has already failed or passed on its own terms.
        }
    }
}
