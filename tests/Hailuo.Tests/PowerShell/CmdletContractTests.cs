using Hailuo.Tests.Help;

namespace Hailuo.Tests.PowerShell;

/// <summary>
/// The compiled cmdlets, read as metadata from module/Hailuo.PowerShell.dll, against docs/cmdlets.md:
/// verbs, parameters, pipeline binding, aliases, transformations, completers and output types.
/// </summary>
public sealed class CmdletContractTests
{
    private static readonly HashSet<string> ApprovedVerbs = new(StringComparer.Ordinal)
    {
        "New", "Get", "Wait", "Stop", "Save", "Connect", "Disconnect",
    };

    public static TheoryData<string> CmdletNames() => new(CmdletContract.Cmdlets.Keys);

    [Fact]
    public void The_module_has_exactly_the_documented_cmdlets_with_approved_verbs()
    {
        using var metadata = CmdletMetadata.Open();
        Assert.Equal(CmdletContract.Cmdlets.Keys.Order(), metadata.Cmdlets.Select(c => c.Name).Order());
        Assert.All(metadata.Cmdlets, c => Assert.Contains(c.Verb, ApprovedVerbs));
        Assert.All(metadata.Cmdlets, c => Assert.NotEmpty(c.OutputTypes));
        Assert.All(metadata.Cmdlets, c => Assert.StartsWith("Hailuo.PowerShell.Commands.", c.TypeName));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Every_documented_parameter_binds_as_documented(string cmdletName)
    {
        using var metadata = CmdletMetadata.Open();
        var cmdlet = metadata.Cmdlet(cmdletName);
        foreach (var expected in CmdletContract.Cmdlets[cmdletName])
        {
            var actual = cmdlet.Parameter(expected.Name);
            Assert.True(expected.Aliases.IsSubsetOf(actual.Aliases), $"{cmdletName} -{expected.Name} aliases: expected {string.Join(",", expected.Aliases)}, has {string.Join(",", actual.Aliases)}");
            var sets = expected.Sets.Count > 0 ? expected.Sets : [CmdletMetadata.AllParameterSets];
            foreach (var set in sets)
            {
                var binding = actual.In(set);
                Assert.True(expected.ByValue == binding.ValueFromPipeline, $"{cmdletName} -{expected.Name} ValueFromPipeline in {set}");
                Assert.True(expected.ByPropertyName == binding.ValueFromPipelineByPropertyName, $"{cmdletName} -{expected.Name} ByPropertyName in {set}");
                Assert.True(expected.Mandatory == binding.Mandatory, $"{cmdletName} -{expected.Name} Mandatory in {set}");
                if (expected.Position is { } position)
                {
                    Assert.Equal(position, binding.Position);
                }
            }
        }
    }

    [Fact]
    public void New_HailuoVideo_binds_CSV_rows_safely()
    {
        using var metadata = CmdletMetadata.Open();
        var cmdlet = metadata.Cmdlet("New-HailuoVideo");

        Assert.True(cmdlet.SupportsShouldProcess);
        Assert.Equal("Medium", cmdlet.ConfirmImpact);
        Assert.Contains("Hailuo.PowerShell.HailuoJobInfo", cmdlet.OutputTypes);
        Assert.Contains("System.IO.FileInfo", cmdlet.OutputTypes);
        foreach (var flag in new[] { "PromptOptimizer", "FastPretreatment" })
        {
            var parameter = cmdlet.Parameter(flag);
            Assert.Equal("bool?", parameter.TypeName);
            Assert.Contains("BoolTransformationAttribute", parameter.Transformations);
        }
        Assert.Contains("NullableIntTransformationAttribute", cmdlet.Parameter("Duration").Transformations);
        foreach (var text in new[] { "Prompt", "FirstFrameImage", "Resolution", "CallbackUrl", "Model", "Provider" })
        {
            Assert.Contains("EmptyToNullTransformationAttribute", cmdlet.Parameter(text).Transformations);
        }
        Assert.False(cmdlet.Parameter("Prompt").In(CmdletMetadata.AllParameterSets).Mandatory);
        Assert.True(cmdlet.Parameter("InputObject").In(CmdletMetadata.AllParameterSets).DontShow);
    }

    [Theory]
    [InlineData("New-HailuoVideo", "Provider", "ProviderCompleter")]
    [InlineData("New-HailuoVideo", "Model", "ModelCompleter")]
    [InlineData("New-HailuoVideo", "Resolution", "ResolutionCompleter")]
    [InlineData("New-HailuoVideo", "Duration", "DurationCompleter")]
    [InlineData("Get-HailuoJob", "Id", "JobIdCompleter")]
    [InlineData("Wait-HailuoJob", "Id", "JobIdCompleter")]
    [InlineData("Connect-Hailuo", "Provider", "ProviderCompleter")]
    public void Parameters_complete_with_their_completers(string cmdlet, string parameter, string completer)
    {
        using var metadata = CmdletMetadata.Open();
        Assert.Contains(completer, metadata.Cmdlet(cmdlet).Parameter(parameter).Completers);
    }

    [Theory]
    [InlineData("Stop-HailuoJob")]
    [InlineData("New-HailuoVideo")]
    public void Commands_that_spend_or_cancel_support_WhatIf_and_Confirm(string name)
    {
        using var metadata = CmdletMetadata.Open();
        Assert.True(metadata.Cmdlet(name).SupportsShouldProcess);
    }
}
