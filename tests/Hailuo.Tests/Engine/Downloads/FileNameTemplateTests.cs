using System.Text.RegularExpressions;
using Hailuo.Downloads;
using Hailuo.Models;

namespace Hailuo.Tests.Engine.Downloads;

public sealed class FileNameTemplateTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Out => _folder.Path;

    private static HailuoJob Job(string id = "job123", string? prompt = "A Cat, jumping!", IReadOnlyDictionary<string, string?>? tag = null,
        DateTimeOffset? createdAt = null, bool withRequest = true)
    {
        var job = new HailuoJob(id, HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Succeeded);
        return job.With(
            request: withRequest ? new VideoRequest { Prompt = prompt, Resolution = "1080P", Duration = 6 } : null,
            createdAt: createdAt ?? new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            tag: tag ?? new Dictionary<string, string?> { ["Scene"] = "intro", ["Take"] = "3", ["Empty"] = null });
    }

    private string Name(string template, HailuoJob? job = null, long index = 7)
    {
        var path = FileNameTemplate.Render(template, job ?? Job(), index, Out);
        Assert.Equal(Path.GetFullPath(Out), Path.GetDirectoryName(path));
        return Path.GetFileName(path);
    }

    [Theory]
    [InlineData("{index}", "7.mp4")]
    [InlineData("{index:0000}", "0007.mp4")]
    [InlineData("{id}", "job123.mp4")]
    [InlineData("{provider}", "coretoday.mp4")]
    [InlineData("{model}", "hailuo-2.3.mp4")]
    [InlineData("{status}", "succeeded.mp4")]
    [InlineData("{resolution}", "1080p.mp4")]
    [InlineData("{duration}s", "6s.mp4")]
    [InlineData("{prompt}", "a-cat-jumping.mp4")]
    [InlineData("{prompt:5}", "a-cat.mp4")]
    [InlineData("{date}", "20250102-030405.mp4")]
    [InlineData("{date:yyyy-MM-dd}", "2025-01-02.mp4")]
    [InlineData("{ID}_{Index:000}", "job123_007.mp4")]
    [InlineData("{id}.mp4", "job123.mp4")]
    [InlineData("{id}.MP4", "job123.mp4")]
    [InlineData("take {{raw}} {id}", "take {raw} job123.mp4")]
    public void Each_token_renders_its_value(string template, string expected) =>
        Assert.Equal(expected, Name(template));

    [Fact]
    public void The_default_template_is_index_prompt_and_id()
    {
        Assert.Equal("{index:0000}-{prompt}-{id}", FileNameTemplate.Default);
        Assert.Equal("0007-a-cat-jumping-job123.mp4", Name(FileNameTemplate.Default));
        Assert.Equal("0007-a-cat-jumping-job123.mp4", Name(""));
    }

    [Theory]
    [InlineData("{Scene}-{Take}", "intro-3.mp4")]
    [InlineData("{scene}-{TAKE}", "intro-3.mp4")]
    [InlineData("{index:00}-{Scene}-{Empty}", "07-intro-.mp4")]
    public void Tag_columns_are_tokens_whatever_their_case(string template, string expected) =>
        Assert.Equal(expected, Name(template));

    [Fact]
    public void A_built_in_token_wins_over_a_tag_column_of_the_same_name()
    {
        var job = Job(tag: new Dictionary<string, string?> { ["prompt"] = "raw text from the CSV" });
        Assert.Equal("a-cat-jumping.mp4", Name("{prompt}", job));
    }

    [Fact]
    public void A_job_without_a_creation_time_is_dated_now()
    {
        var job = new HailuoJob("j", HailuoProvider.Replicate, HailuoModels.Fast, JobStatus.Succeeded);
        var name = Name("{date}", job);
        Assert.Matches(@"^20\d{6}-\d{6}\.mp4$", name);
    }

    [Fact]
    public void An_unknown_token_is_refused_naming_it_and_listing_the_known_ones()
    {
        var error = Assert.Throws<HailuoException>(() => Name("{index}-{colour}"));
        Assert.Equal(HailuoErrorKind.Validation, error.Error.Kind);
        Assert.Contains("{colour}", error.Message);
        foreach (var token in FileNameTemplate.Tokens)
        {
            Assert.Contains("{" + token + "}", error.Message);
        }
        Assert.Contains("{Scene}", error.Message);
    }

    [Theory]
    [InlineData("{id")]
    [InlineData("{}")]
    [InlineData("{index:abc")]
    [InlineData("{prompt:0}")]
    [InlineData("{prompt:long}")]
    public void A_malformed_token_is_refused(string template)
    {
        var error = Assert.Throws<HailuoException>(() => Name(template));
        Assert.Equal(HailuoErrorKind.Validation, error.Error.Kind);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..\\..\\x")]
    [InlineData("/tmp/x")]
    [InlineData("C:\\x")]
    [InlineData("c:x")]
    [InlineData("\\\\server\\share\\x")]
    [InlineData("videos/{id}")]
    [InlineData("{id}\\{prompt}")]
    [InlineData("~{id}")]
    public void A_template_that_names_a_folder_or_a_root_is_refused(string template)
    {
        var error = Assert.Throws<HailuoException>(() => Name(template));
        Assert.Equal(HailuoErrorKind.Validation, error.Error.Kind);
        Assert.Contains("not folders", error.Message);
    }

    // By index: some of these (NUL, a lone surrogate) do not survive test-case serialisation.
    private static readonly string[] HostileValues =
    [
        "../../etc/passwd",
        "..\\..\\x",
        "..",
        ".",
        "/tmp/x",
        "C:\\x",
        "C:x",
        "\\\\server\\share",
        "CON",
        "con",
        "con.txt",
        "CON .mp4",
        "NUL",
        "nul.mp4",
        "COM1",
        "LPT9.log",
        "AUX",
        "PRN",
        "=cmd|' /C calc'!A0",
        "+SUM(1)",
        "-2+3",
        "@SUM(A1)",
        "a\u0000b\u0007c\td\r\ne\u001b[31m",
        "evil\u202Egpj.exe",
        "zero\u200Bwidth\uFEFF",
        "<>:\"/\\|?*",
        "trailing dots...",
        "   spaces   ",
        "...",
        "",
        new string('x', 500),
        "日本語のタイトル",
        "emoji 🎬 clip",
        "lone \uD800 surrogate",
        "\uDC00\uD800 reversed pair",
    ];

    public static readonly TheoryData<int> Hostile = new(Enumerable.Range(0, HostileValues.Length));

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_values_in_the_id_a_tag_or_the_prompt_stay_one_safe_file_inside_the_folder(int which)
    {
        var value = HostileValues[which];
        var job = Job(id: value, prompt: value, tag: new Dictionary<string, string?> { ["Title"] = value });
        foreach (var template in new[] { "{id}", "{Title}", "{prompt}", "{Title}.mp4", "{id}{Title}", FileNameTemplate.Default })
        {
            var path = FileNameTemplate.Render(template, job, 1, Out);
            AssertSafe(path, $"{template} with '{value}'");
        }
    }

    [Theory]
    [InlineData("CON", "_CON.mp4")]
    [InlineData("con", "_con.mp4")]
    [InlineData("con.txt", "_con.txt.mp4")]
    [InlineData("CON .mp4", "_CON.mp4")]
    [InlineData("NUL", "_NUL.mp4")]
    [InlineData("COM1", "_COM1.mp4")]
    [InlineData("LPT9.log", "_LPT9.log.mp4")]
    [InlineData("=cmd|' /C calc'!A0", "_=cmd_' _C calc'!A0.mp4")]
    [InlineData("+SUM(1)", "_+SUM(1).mp4")]
    [InlineData("@SUM(A1)", "_@SUM(A1).mp4")]
    [InlineData("../../etc/passwd", "_._etc_passwd.mp4")]
    [InlineData("..\\..\\x", "_._x.mp4")]
    [InlineData("/tmp/x", "_tmp_x.mp4")]
    [InlineData("C:\\x", "C__x.mp4")]
    // Nothing left of the name: the job's id names the file, never one video.mp4 that every such job would share.
    [InlineData("..", "job123.mp4")]
    [InlineData("", "job123.mp4")]
    [InlineData("evil\u202Egpj.exe", "evilgpj.exe.mp4")]
    [InlineData("COMPANY", "COMPANY.mp4")]
    [InlineData("console", "console.mp4")]
    public void Hostile_tag_values_are_neutralised(string value, string expected)
    {
        var job = Job(tag: new Dictionary<string, string?> { ["Title"] = value });
        Assert.Equal(expected, Name("{Title}", job));
    }

    [Fact]
    public void Control_characters_and_lone_surrogates_are_dropped()
    {
        Assert.Equal("abcde[31m.mp4", Name("{Title}", Job(tag: new Dictionary<string, string?> { ["Title"] = "a\u0000b\u0007c\td\r\ne\u001b[31m" })));
        Assert.Equal("lone  surrogate.mp4", Name("{Title}", Job(tag: new Dictionary<string, string?> { ["Title"] = "lone \uD800 surrogate" })));
        Assert.Equal("clip 🎬.mp4", Name("{Title}", Job(tag: new Dictionary<string, string?> { ["Title"] = "clip 🎬" })));
    }

    [Fact]
    public void A_500_character_value_is_capped_at_150_characters_keeping_the_extension()
    {
        var job = Job(tag: new Dictionary<string, string?> { ["Title"] = new string('a', 500) });
        var name = Name("{Title}", job);
        Assert.Equal(FileNameTemplate.MaxFileNameLength, name.Length);
        Assert.Equal(new string('a', 146) + ".mp4", name);
    }

    [Fact]
    public void A_500_character_prompt_makes_a_slug_of_at_most_60_characters()
    {
        var prompt = string.Join(" ", Enumerable.Repeat("slow motion waves", 30));
        var name = Name("{prompt}", Job(prompt: prompt));
        var slug = name[..^4];
        Assert.InRange(slug.Length, 50, FileNameTemplate.MaxPromptSlugLength);
        Assert.StartsWith("slow-motion-waves-slow-motion-waves", slug);
        Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", slug);
    }

    [Theory]
    [InlineData("Café au lait — naïve Straße!", "cafe-au-lait-naive-strasse")]
    [InlineData("Ærøskøbing: Łódź", "aeroskobing-lodz")]
    [InlineData("Don't   stop -- ever", "dont-stop-ever")]
    [InlineData("ＦＵＬＬ ｗｉｄｔｈ ﬁsh", "full-width-fish")]
    [InlineData("東京 at night 🌃", "at-night")]
    [InlineData("東京タワー", "video")]
    [InlineData("", "video")]
    [InlineData("   !!! ???   ", "video")]
    [InlineData("--Leading and trailing--", "leading-and-trailing")]
    public void The_prompt_slug_is_lower_case_ascii_with_single_hyphens(string prompt, string expected) =>
        Assert.Equal(expected + ".mp4", Name("{prompt}", Job(prompt: prompt)));

    [Fact]
    public void A_job_without_a_request_has_video_for_its_prompt_and_nothing_for_its_resolution()
    {
        var job = Job(withRequest: false);
        Assert.Equal("video-.mp4", Name("{prompt}-{resolution}{duration}", job));
    }

    [Fact]
    public void A_rendered_path_is_the_full_path_of_a_file_directly_in_the_output_folder()
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), Out);
        var path = FileNameTemplate.Render("{id}", Job(), 1, relative);
        Assert.True(Path.IsPathFullyQualified(path));
        Assert.Equal(Path.Combine(Path.GetFullPath(Out), "job123.mp4"), path);
    }

    private void AssertSafe(string path, string because)
    {
        var folder = Path.GetFullPath(Out);
        Assert.True(path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{because}: {path} left {folder}");
        Assert.Equal(folder, Path.GetDirectoryName(Path.GetFullPath(path)));
        var name = Path.GetFileName(path);
        Assert.EndsWith(".mp4", name);
        Assert.InRange(name.Length, 5, FileNameTemplate.MaxFileNameLength);
        Assert.DoesNotContain("..", name);
        Assert.False(name.StartsWith('.') || name.StartsWith(' '), $"{because}: '{name}' starts with a dot or space");
        Assert.False(name[0] is '=' or '+' or '-' or '@', $"{because}: '{name}' could run as a formula");
        foreach (var c in name)
        {
            Assert.False(c < 0x20 || "<>:\"/\\|?*".Contains(c) || c is '\u202E' or '\u200B' or '\uFEFF' || char.IsControl(c),
                $"{because}: '{name}' contains U+{(int)c:X4}");
        }
        Assert.DoesNotMatch(new Regex(@"^(CON|PRN|AUX|NUL|COM\d|LPT\d)(\s*\..*)?$", RegexOptions.IgnoreCase), name[..^4]);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]))
            {
                Assert.True(i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]), $"{because}: a lone surrogate in '{name}'");
                i++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(name[i]), $"{because}: a lone surrogate in '{name}'");
            }
        }
        // The name is usable: the file can be created there.
        File.WriteAllBytes(path, []);
        Assert.True(File.Exists(Path.Combine(folder, name)));
        File.Delete(path);
    }

    public void Dispose() => _folder.Dispose();
}
