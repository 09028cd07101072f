using System.Text;
using Hailuo.Emulator.Core;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Security;

/// <summary>The key is blanked in what is shown, not in what is parsed: whatever the key, every row ends, and no form of it shows.</summary>
public sealed class KeyTests : RunspaceTest
{
    [Theory]
    [InlineData("k", 20)]
    [InlineData("a", 6)]
    [InlineData("0", 6)]
    public void A_key_that_occurs_in_job_ids_and_answers_leaves_every_row_saved(string key, int rows)
    {
        WriteCsv("rows.csv", "prompt", Enumerable.Range(1, rows).Select(i => $"A paper crane number {i}"));
        Connect(key: key);

        var result = Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        Assert.Equal(rows, result.Output.Count);
        Assert.Equal(rows, Videos().Length);
        Assert.Equal(rows, Emulator.Count("creates"));
    }

    [Fact]
    public void A_key_echoed_in_an_error_body_as_is_or_in_base64_shows_in_no_stream()
    {
        const string key = "sk-live-4f9c2e7a1b8d3c6e5f0a";
        var forms = new[]
        {
            key,
            Convert.ToBase64String(Encoding.UTF8.GetBytes("Bearer " + key)),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(":" + key)),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
            Uri.EscapeDataString(key),
        };
        Connect(key: key);
        Emulator.Server.State.Hostile.Add(new HostileAnswer
        {
            Provider = "coretoday", Operation = Operation.Create, Handle = false, Status = 400, Times = 1,
            Body = "{\"detail\":\"bad header: Authorization: Basic " + forms[2] + "; echoed " + forms[1] + " and " + forms[3] + " for " + forms[0] + " (" + forms[4] + ")\"}",
        });

        var result = Run("New-HailuoVideo 'A lighthouse' -Verbose *>&1 | Out-String -Width 1000");

        var text = result.AllText();
        Assert.Contains("bad header", text);
        foreach (var form in forms)
        {
            Assert.DoesNotContain(form, text, StringComparison.Ordinal);
        }
    }
}
