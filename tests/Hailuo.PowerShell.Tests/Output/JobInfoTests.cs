using System.Collections;
using System.Reflection;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Output;

/// <summary>HailuoJobInfo as the cmdlets write it: every field filled from the job, and the input's other columns carried along.</summary>
public sealed class JobInfoTests : RunspaceTest
{
    [Fact]
    public void A_finished_job_has_every_field_of_its_request_and_of_its_run()
    {
        var image = CopyFirstFrameImage();
        WriteCsv("rows.csv", "prompt,first_frame_image,duration,resolution,prompt_optimizer,callback_url,model,scene,Shot",
            ["A warm-up row,,,,,,,0,a", $"The scene comes alive,first-frame.png,6,768p,False,{EmulatorHost.UnreachableCallback},hailuo-2.3,12,wide"]);
        Connect();

        var job = Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob").AssertNoErrors()
            .Output.Single(o => o.Text("Prompt") == "The scene comes alive");

        Assert.Matches("^job_[a-z0-9]+$", job.Text("Id"));
        Assert.Equal("CoreToday", job.Text("Provider"));
        Assert.Equal("hailuo-2.3", job.Text("Model"));
        Assert.Equal("Succeeded", job.Text("Status"));
        Assert.Equal(image, job.Text("FirstFrameImage"));
        Assert.Equal(6, (int?)job.Property("Duration"));
        Assert.Equal("768p", job.Text("Resolution"));
        Assert.Equal(false, (bool?)job.Property("PromptOptimizer"));
        Assert.Null(job.Property("FastPretreatment"));
        Assert.Equal(EmulatorHost.UnreachableCallback, job.Text("CallbackUrl"));
        Assert.StartsWith(Emulator.Url, job.Text("VideoUri"), StringComparison.Ordinal);
        Assert.Null(job.Property("Error"));
        Assert.Null(job.Property("ErrorKind"));
        var created = (DateTimeOffset)job.Property("CreatedAt")!;
        var completed = (DateTimeOffset)job.Property("CompletedAt")!;
        Assert.InRange((DateTimeOffset)job.Property("StartedAt")!, created, completed);
        Assert.Equal(completed - created, (TimeSpan)job.Property("Elapsed")!);
        Assert.Equal(false, job.Property("Reused"));
        Assert.Matches("^[0-9a-f]{64}$", job.Text("InputHash"));
        Assert.Equal(2L, job.Property("Index"));
        var tag = Assert.IsType<Hashtable>(job.Property("Tag"));
        Assert.Equal(2, tag.Count);
        Assert.Equal("12", tag["SCENE"]);
        Assert.Equal("wide", tag["shot"]);
        // Each tag entry is a property of the object too, for Select-Object, Where-Object and Export-Csv.
        Assert.Equal("12", job.Text("scene"));
        Assert.Equal("wide", job.Text("Shot"));
    }

    [Fact]
    public void A_running_job_counts_its_time_so_far_and_has_no_completion()
    {
        Connect();

        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output);

        Assert.Null(job.Property("CompletedAt"));
        Assert.NotNull(job.Property("CreatedAt"));
        Assert.True((TimeSpan)job.Property("Elapsed")! >= TimeSpan.Zero);
        Assert.Empty(Assert.IsType<Hashtable>(job.Property("Tag")));
    }

    [Fact]
    public void A_MiniMax_job_carries_its_file_id()
    {
        Connect("MiniMax");

        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill' | Wait-HailuoJob").AssertNoErrors().Output);

        Assert.Equal("MiniMax", job.Text("Provider"));
        Assert.False(string.IsNullOrEmpty(job.Text("FileId")));
    }

    [Fact]
    public void A_failed_job_says_why_what_kind_of_failure_and_what_to_do()
    {
        Connect();
        Emulator.SetFaults("filter=1");
        var id = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output).Text("Id");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Emulator.JobStates()[id!] != "Failed" && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        var job = Assert.Single(Run("param($Id) Get-HailuoJob -Id $Id", new { Id = id }).AssertNoErrors().Output);

        Assert.Equal("Failed", job.Text("Status"));
        Assert.Equal("ContentFiltered", job.Text("ErrorKind"));
        Assert.False(string.IsNullOrWhiteSpace(job.Text("Error")));
        Assert.False(string.IsNullOrWhiteSpace(job.Text("RecommendedAction")));
    }

    [Fact]
    public void The_same_input_again_reuses_its_job_and_Force_pays_again()
    {
        Connect();
        var first = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output);

        var again = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output);
        var forced = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill' -Force").AssertNoErrors().Output);

        Assert.Equal(first.Text("Id"), again.Text("Id"));
        Assert.Equal(true, again.Property("Reused"));
        Assert.Equal(first.Text("InputHash"), again.Text("InputHash"));
        Assert.NotEqual(first.Text("Id"), forced.Text("Id"));
        Assert.Equal(false, forced.Property("Reused"));
        Assert.Equal(2, Emulator.Count("creates"));
    }

    [Fact]
    public void Jobs_exported_to_csv_feed_New_HailuoVideo_again_with_their_columns_and_pay_nothing()
    {
        WriteCsv("rows.csv", "prompt,duration,scene", ["A lighthouse in a storm,10,1", "A paper boat in a gutter,,2"]);
        Connect();
        var first = Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Export-Csv jobs.csv; Import-Csv jobs.csv").AssertNoErrors().Output;

        var again = Run("Import-Csv jobs.csv | New-HailuoVideo").AssertNoErrors().Output;

        Assert.Equal(["1", "2"], first.Select(row => row.Text("scene")).Order());
        Assert.Equal(first.Select(row => row.Text("Id")).Order(StringComparer.Ordinal), again.Select(job => job.Text("Id")).Order(StringComparer.Ordinal));
        Assert.All(again, job => Assert.Equal(true, job.Property("Reused")));
        Assert.Equal(["1", "2"], again.Select(job => job.Text("scene")).Order());
        Assert.Equal(2, Emulator.Count("creates"));
    }

    [Fact]
    public void HailuoJobInfo_has_exactly_its_documented_properties_each_settable()
    {
        var type = ModuleType("Hailuo.PowerShell.HailuoJobInfo");

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(p => p.Name);

        Assert.Equal(
            ["Id", "Provider", "Model", "Status", "Prompt", "FirstFrameImage", "Duration", "Resolution", "PromptOptimizer", "FastPretreatment",
             "CallbackUrl", "VideoUri", "FileId", "Error", "ErrorKind", "RecommendedAction", "CreatedAt", "StartedAt", "CompletedAt", "Elapsed",
             "Reused", "InputHash", "Index", "Credits", "Tag"],
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name));
        Assert.All(properties.Values, p => Assert.True(p.CanRead && p.SetMethod is { IsPublic: true }, $"{p.Name} must have a public get and set."));
        Assert.Equal(typeof(Hashtable), properties["Tag"].PropertyType);
        Assert.Equal(typeof(TimeSpan?), properties["Elapsed"].PropertyType);
        Assert.Equal(typeof(bool), properties["Reused"].PropertyType);
        Assert.Equal(typeof(long), properties["Index"].PropertyType);
        Assert.Equal(typeof(int?), properties["Credits"].PropertyType);
        Assert.Equal(typeof(int?), properties["Duration"].PropertyType);
        Assert.Equal(typeof(bool?), properties["PromptOptimizer"].PropertyType);
    }

    [Fact]
    public void HailuoConnectionInfo_has_the_connection_properties_and_none_for_the_key()
    {
        var type = ModuleType("Hailuo.PowerShell.HailuoConnectionInfo");

        Assert.Equal(
            ["Account", "BaseUri", "CloudflareAccountId", "CredentialSource", "MiniMaxMainland", "Provider", "SecretName", "ThrottleLimit", "Vault"],
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>A type of the imported module, as PowerShell resolves its name.</summary>
    private Type ModuleType(string name) =>
        Assert.IsAssignableFrom<Type>(Assert.Single(Run($"[{name}]").AssertNoErrors().Output).BaseObject);
}
