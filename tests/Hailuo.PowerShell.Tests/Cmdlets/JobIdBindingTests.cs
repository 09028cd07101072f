using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>Job ids bind the same way on every cmdlet that takes jobs: typed, piped as text, or as an exported row.</summary>
public sealed class JobIdBindingTests : RunspaceTest
{
    [Fact]
    public void An_id_typed_or_piped_as_text_binds_on_Wait_Stop_and_Save()
    {
        Connect();
        var id = Run("(New-HailuoVideo 'A lighthouse in a storm').Id").AssertNoErrors().Output.Single().ToString();

        var waited = Run("param($Id) Wait-HailuoJob $Id", new { Id = id }).AssertNoErrors();
        var stopped = Run("param($Id) $Id | Stop-HailuoJob -WhatIf", new { Id = id }).AssertNoErrors();
        var saved = Run("param($Id) $Id | Save-HailuoVideo ./videos", new { Id = id }).AssertNoErrors();

        Assert.Equal("Succeeded", waited.Output.Single().Properties["Status"].Value);
        Assert.Empty(stopped.Output);
        Assert.Equal(0, Emulator.Count("cancels"));
        Assert.Single(saved.Output);
        Assert.Single(Videos());
    }

    [Fact]
    public void Jobs_exported_to_csv_and_imported_again_find_their_jobs_and_keep_their_rows()
    {
        WriteCsv("rows.csv", "prompt,scene", "A first row,a", "A second row,b", "A third row,c");
        Connect();
        Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Export-Csv jobs.csv").AssertNoErrors();

        var got = Run("Import-Csv jobs.csv | Get-HailuoJob").AssertNoErrors();
        var saved = Run("Import-Csv jobs.csv | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        var exported = Run("(Import-Csv jobs.csv).Id").AssertNoErrors().Output.Select(o => o.ToString()).Order().ToList();
        Assert.Equal(3, exported.Count);
        Assert.Equal(exported, got.Output.Select(o => (string)o.Properties["Id"].Value).Order());
        Assert.Equal(3, saved.Output.Count);
        Assert.Equal(["0001-", "0002-", "0003-"], Videos().Select(n => n[..5]));
    }

    [Fact]
    public void Wait_Stop_and_Save_declare_Job_Id_and_Provider_alike_Save_without_positions()
    {
        const string describe = """
            param($Name)
            foreach ($parameterName in 'Job', 'Id', 'Provider') {
                $parameter = (Get-Command $Name).Parameters[$parameterName]
                foreach ($set in $parameter.ParameterSets.GetEnumerator()) {
                    $binding = $set.Value
                    $attributes = $parameter.Attributes | Where-Object { $_ -isnot [Parameter] -and $_.GetType().Namespace -ne 'System.Runtime.CompilerServices' } |
                        ForEach-Object { if ($_ -is [ArgumentCompleter]) { 'ArgumentCompleter(' + $_.Type.Name + ')' } else { $_.GetType().Name } }
                    '{0} {1} set={2} position={3} mandatory={4} pipeline={5} byName={6} aliases={7} [{8}]' -f $parameterName, $parameter.ParameterType.Name,
                        $set.Key, $binding.Position, $binding.IsMandatory, $binding.ValueFromPipeline, $binding.ValueFromPipelineByPropertyName,
                        ($parameter.Aliases -join ','), ($attributes -join ', ')
                }
            }
            """;
        string[] Describe(string name) => Run(describe, new { Name = name }).AssertNoErrors().Output.Select(o => o.ToString()).ToArray();

        string[] positional =
        [
            "Job HailuoJobInfo[] set=Job position=0 mandatory=True pipeline=True byName=False aliases= []",
            "Id String[] set=Id position=0 mandatory=True pipeline=True byName=True aliases=JobId,job_id,task_id [AliasAttribute, JobIdTransformationAttribute, ArgumentCompleter(JobIdCompleter)]",
            "Provider String set=Id position=-2147483648 mandatory=False pipeline=False byName=True aliases= [EmptyToNullTransformationAttribute, ArgumentCompleter(ProviderCompleter)]",
        ];
        Assert.Equal(positional, Describe("Wait-HailuoJob"));
        Assert.Equal(positional, Describe("Stop-HailuoJob"));
        Assert.Equal(positional.Select(line => line.Replace("position=0", "position=-2147483648")), Describe("Save-HailuoVideo"));
    }
}
