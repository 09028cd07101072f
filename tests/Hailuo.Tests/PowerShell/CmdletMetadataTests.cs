namespace Hailuo.Tests.PowerShell;

/// <summary>
/// The harness proven on tests/CmdletMetadataSample (one of each attribute it reads), and the checks that hold
/// for the module as it is now. Cmdlet-by-cmdlet checks against docs/cmdlets.md come with the cmdlets.
/// </summary>
public sealed class CmdletMetadataTests
{
    private static string SamplePath => Path.Combine(AppContext.BaseDirectory, "CmdletMetadataSample.dll");

    [Fact]
    public void Reads_cmdlet_attributes()
    {
        using var sample = CmdletMetadata.Open(SamplePath);

        Assert.Equal(["Get-SampleLeak", "New-SampleVideo"], sample.Cmdlets.Select(c => c.Name));
        var cmdlet = sample.Cmdlet("new-samplevideo");
        Assert.Equal("CmdletMetadataSample.NewSampleVideoCommand", cmdlet.TypeName);
        Assert.Equal(("New", "SampleVideo"), (cmdlet.Verb, cmdlet.Noun));
        Assert.True(cmdlet.SupportsShouldProcess);
        Assert.Equal("High", cmdlet.ConfirmImpact);
        Assert.Equal("Submit", cmdlet.DefaultParameterSetName);
        Assert.Equal(["Hailuo.PowerShell.HailuoJobInfo", "System.IO.FileInfo"], cmdlet.OutputTypes);
        Assert.Equal(["Submit", "Wait"], cmdlet.ParameterSetNames);

        var leak = sample.Cmdlet("Get-SampleLeak");
        Assert.False(leak.SupportsShouldProcess);
        Assert.Null(leak.ConfirmImpact);
        Assert.Null(leak.DefaultParameterSetName);
        Assert.Empty(leak.OutputTypes);
        Assert.Throws<Xunit.Sdk.XunitException>(() => sample.Cmdlet("Get-Nothing"));
    }

    [Fact]
    public void Reads_parameter_attributes()
    {
        using var sample = CmdletMetadata.Open(SamplePath);
        var cmdlet = sample.Cmdlet("New-SampleVideo");

        Assert.Equal(["Duration", "InputObject", "Prompt", "PromptOptimizer", "Status", "Wait"], cmdlet.Parameters.Select(p => p.Name).Order());

        var prompt = cmdlet.Parameter("prompt");
        Assert.Equal("string", prompt.TypeName);
        var all = Assert.Single(prompt.Sets);
        Assert.Equal(new ParameterSetDeclaration(CmdletMetadata.AllParameterSets, false, 0, false, true, false, false, null), all);
        Assert.Same(all, prompt.In("Wait"));
        Assert.Equal(["prompt", "text"], prompt.Aliases);
        Assert.Equal(["EmptyToNullTransformationAttribute"], prompt.Transformations);
        Assert.Empty(prompt.Completers);

        var duration = cmdlet.Parameter("Duration");
        Assert.Equal("int?", duration.TypeName);
        Assert.Equal(new ParameterSetDeclaration("Wait", true, 1, false, false, false, false, "Seconds"), duration.In("Wait"));
        Assert.Equal(new ParameterSetDeclaration("Submit", false, null, false, true, false, false, null), duration.In("Submit"));
        Assert.Equal(["NullableIntTransformationAttribute"], duration.Transformations);
        Assert.Equal(["DurationCompleter"], duration.Completers);
        Assert.Contains("ArgumentCompleterAttribute", duration.Attributes);

        Assert.Equal("bool?", cmdlet.Parameter("PromptOptimizer").TypeName);
        Assert.Equal(["BoolTransformationAttribute"], cmdlet.Parameter("PromptOptimizer").Transformations);
        Assert.Equal("string[]", cmdlet.Parameter("Status").TypeName);
        Assert.Equal(["Queued", "Running"], cmdlet.Parameter("Status").ValidateSetValues);

        var input = cmdlet.Parameter("InputObject").In(CmdletMetadata.AllParameterSets);
        Assert.Equal("PSObject", cmdlet.Parameter("InputObject").TypeName);
        Assert.True(input.ValueFromPipeline);
        Assert.True(input.DontShow);

        Assert.Equal("SwitchParameter", cmdlet.Parameter("Wait").TypeName);
        Assert.True(cmdlet.Parameter("Wait").In("Wait").Mandatory);
        Assert.Throws<Xunit.Sdk.XunitException>(() => cmdlet.Parameter("Wait").In("Submit"));
        Assert.Throws<Xunit.Sdk.XunitException>(() => cmdlet.Parameter("NotAParameter"));
    }

    [Fact]
    public void The_leak_check_reports_an_engine_type_in_a_cmdlet_signature()
    {
        using var sample = CmdletMetadata.Open(SamplePath);
        var leaks = sample.DependencyTypeLeaks();
        Assert.Contains("CmdletMetadataSample.GetSampleLeakCommand.Job: Hailuo.Models.HailuoJob [Hailuo]", leaks);
        Assert.Contains("CmdletMetadataSample.GetSampleLeakCommand.set_Job(value): Hailuo.Models.HailuoJob [Hailuo]", leaks);
        Assert.DoesNotContain(leaks, leak => leak.StartsWith("CmdletMetadataSample.NewSampleVideoCommand", StringComparison.Ordinal));
    }

    [Fact]
    public void No_engine_or_dependency_type_shows_in_the_modules_public_surface()
    {
        using var module = CmdletMetadata.Open();
        Assert.Contains("Hailuo", module.DependencyAssemblyNames);
        Assert.Contains("System.Text.Json", module.DependencyAssemblyNames);
        Assert.Empty(module.DependencyTypeLeaks());
    }

    [Fact]
    public void The_leak_check_sees_the_engine_types_that_JobInfoConverter_keeps_internal()
    {
        using var module = CmdletMetadata.Open();
        var converter = module.Type("Hailuo.PowerShell.JobInfoConverter");
        Assert.False(converter.IsVisible);
        var leaks = module.DependencyTypeLeaks(converter);
        Assert.Contains("Hailuo.PowerShell.JobInfoConverter.FromEngine(job): Hailuo.Models.HailuoJob [Hailuo]", leaks);
        Assert.Contains("Hailuo.PowerShell.JobInfoConverter.ToEngine return: Hailuo.Models.HailuoJob [Hailuo]", leaks);
    }

    [Fact]
    public void The_boundary_check_reports_an_engine_call_with_a_dependencys_type_in_its_signature()
    {
        using var sample = CmdletMetadata.Open(SamplePath);
        Assert.Equal(["Hailuo.Media.Mp4Inspector.LooksLikeMp4: System.ReadOnlySpan`1 [System.Memory]"], sample.EngineBoundaryLeaks());
    }

    [Fact]
    public void The_module_uses_no_engine_api_with_a_dependencys_type_in_its_signature()
    {
        using var module = CmdletMetadata.Open();
        Assert.Empty(module.EngineBoundaryLeaks());
    }

    [Fact]
    public void HailuoJobInfo_has_exactly_the_properties_docs_cmdlets_md_lists()
    {
        using var module = CmdletMetadata.Open();
        var type = module.Type("Hailuo.PowerShell.HailuoJobInfo");
        var properties = type.GetProperties().ToDictionary(p => p.Name);
        Assert.Equal(CmdletsDoc.JobInfoProperties.Order(), properties.Keys.Order());
        Assert.All(properties.Values, p => Assert.True(p.CanRead && p.CanWrite && p.SetMethod!.IsPublic, $"{p.Name} must have a public get and set."));
        Assert.Equal("System.Collections.Hashtable", properties["Tag"].PropertyType.FullName);
        Assert.Equal("System.Nullable`1[System.TimeSpan]", properties["Elapsed"].PropertyType.ToString());
        Assert.Equal("System.Boolean", properties["Reused"].PropertyType.FullName);
        Assert.Equal("System.Int64", properties["Index"].PropertyType.FullName);
        var engineJob = type.GetField("EngineJob", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        Assert.True(engineJob.IsAssembly);
        Assert.Equal("System.Object", engineJob.FieldType.FullName);
    }

    [Fact]
    public void HailuoConnectionInfo_has_the_connection_properties()
    {
        using var module = CmdletMetadata.Open();
        var properties = module.Type("Hailuo.PowerShell.HailuoConnectionInfo").GetProperties().Select(p => p.Name).Order();
        Assert.Equal(["Account", "BaseUri", "CloudflareAccountId", "CredentialSource", "MiniMaxMainland", "Provider", "SecretName", "Vault"], properties);
    }

    [Fact]
    public void Every_cmdlet_the_module_has_is_one_docs_cmdlets_md_names()
    {
        using var module = CmdletMetadata.Open();
        Assert.All(module.Cmdlets, cmdlet => Assert.Contains(cmdlet.Name, CmdletsDoc.CmdletNames));
    }

    [Fact]
    public void Says_to_publish_first_when_the_module_layout_is_missing()
    {
        var empty = Directory.CreateTempSubdirectory("hailuo-no-layout").FullName;
        try
        {
            var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ModuleLayout.RequireDependencyDirectory(empty));
            Assert.Contains("Run `dotnet publish src/Hailuo.PowerShell -c Release` first", error.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
