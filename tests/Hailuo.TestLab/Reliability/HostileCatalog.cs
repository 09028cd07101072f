using System.Text.Json;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Models;
using static Hailuo.Reliability.HostileExpectation;

namespace Hailuo.Reliability;

/// <summary>
/// Every hostile input the suite tries, as data: the xunit tests run each as its own test, and the harness section
/// runs them all and counts. Adding a case is adding a line here.
/// </summary>
public static class HostileCatalog
{
    private const long Gigabytes10 = 10L << 30;

    /// <summary>The template that puts a tag column alone in the file name, so that its value meets the file system.</summary>
    private const string ShotTemplate = "{shot}";

    /// <summary>The template server cases save under, so that the expected name is known: the row and the job id.</summary>
    private const string IdTemplate = "{index}-{id}";

    private static readonly string[] NotAProvider = ["not a provider"];

    public static IReadOnlyList<HostileCase> All { get; } = [.. CsvRows(), .. Images(), .. ServerAnswers()];

    public static HostileCase Find(string name) => All.Single(c => c.Name == name);

    public static IEnumerable<string> Names(HostileGroup group) => All.Where(c => c.Group == group).Select(c => c.Name);

    // ---- CSV rows ----------------------------------------------------------------------------------------------

    private static IEnumerable<HostileCase> CsvRows()
    {
        // Columns missing, blank, or holding nothing a video can be made from.
        yield return CsvRefused("csv-missing-prompt-column", "no Prompt column, only extra ones", Row(("shot", "S1"), ("take", "2")), ["Prompt", "missing"], batch: true);
        yield return CsvRefused("csv-blank-prompt-cell", "a Prompt cell of tabs and spaces", Row(("Prompt", " \t  \t ")), ["Prompt", "missing"]);
        yield return CsvRefused("csv-prompt-only-zero-width", "a prompt of zero-width characters only", Prompt("\u200B\u200C\u200D\u2060\uFEFF"), ["Prompt", "no visible"], batch: true);
        yield return CsvRefused("csv-prompt-only-control-characters", "a prompt of control characters only", Prompt("\u0001\u0002\u0007\u001b\u007f"), ["Prompt", "no visible"]);
        yield return CsvRefused("csv-prompt-only-direction-marks", "a prompt of bidi marks and overrides only", Prompt("\u200E\u200F\u202A\u202E\u2066\u2069"), ["Prompt", "no visible"]);
        yield return CsvRefused("csv-prompt-only-line-separators", "a prompt of Unicode line and paragraph separators", Prompt("\u2028\u2029\u0085"), ["Prompt", "missing"]);
        yield return CsvRefused("csv-template-column-missing", "-FileNameTemplate names a column this row lacks", Row(("Prompt", "a row without the shot column")), ["{shot}", "not a known token"], template: "{index}-{shot}", batch: true);
        yield return CsvRefused("csv-template-column-renamed", "the template's column has another name in this row", Row(("Prompt", "a row with its columns renamed"), ("plan", "S1")), ["{shot}", "not a known token"], template: ShotTemplate);

        // Oversize.
        yield return CsvRefused("csv-prompt-one-megabyte", "a 1 MB prompt", Prompt(new string('a', 1 << 20)), ["Prompt", "shorten"], batch: true);
        yield return CsvRefused("csv-prompt-over-limit-in-emoji", "1,001 emoji: 2,002 UTF-16 characters", Prompt(string.Concat(Enumerable.Repeat("\U0001F3AC", 1001))), ["Prompt", "shorten"]);
        yield return CsvSaved("csv-hundreds-of-extra-columns", "300 extra columns", Row([("Prompt", "a row with 300 extra columns"), .. Enumerable.Range(1, 300).Select(i => ($"col{i:000}", (string?)$"v{i}"))]), "2-v150.mp4", "{index}-{col150}");
        yield return CsvSaved("csv-tag-cell-one-megabyte", "a 1 MB cell in an extra column named in the template", Row(("Prompt", "a row with a huge cell"), ("shot", new string('x', 1 << 20))), new string('x', 146) + ".mp4", ShotTemplate, batch: true);

        // Unicode, right-to-left and control characters, which reach file names through {prompt}.
        yield return CsvSaved("csv-prompt-arabic", "an Arabic (right-to-left) prompt", Prompt("قطة تقفز فوق سياج عند الغروب"), "0002-video-{id}.mp4");
        yield return CsvSaved("csv-prompt-hebrew", "a Hebrew (right-to-left) prompt", Prompt("חתול קופץ מעל גדר"), "0002-video-{id}.mp4");
        yield return CsvSaved("csv-prompt-rtl-override-spoof", "a right-to-left override that makes 'exe.jpg' read backwards", Prompt("A cat \u202Egpj.exe"), "0002-a-cat-gpj-exe-{id}.mp4", batch: true);
        yield return CsvSaved("csv-prompt-mixed-bidi-isolates", "left-to-right text inside isolates and embeddings", Prompt("\u2067مرحبا\u2069 cat \u202Bride\u202C"), "0002-cat-ride-{id}.mp4");
        yield return CsvSaved("csv-prompt-emoji-sequences", "emoji joined with zero-width joiners", Prompt("\U0001F469\u200D\U0001F469\u200D\U0001F467 family picnic \U0001F333"), "0002-family-picnic-{id}.mp4");
        yield return CsvSaved("csv-prompt-combining-marks", "letters buried under combining marks", Prompt("Z\u0337\u0322\u0349a\u0338\u031Bl\u0334g\u0336o\u0335 cat"), "0002-zalgo-cat-{id}.mp4");
        yield return CsvSaved("csv-prompt-nul-bell-and-ansi", "NUL, bell and an ANSI colour escape inside the prompt", Prompt("A cat\0 jumps\u0007 over\u001b[31m the fence"), "0002-a-cat-jumps-over-31m-the-fence-{id}.mp4");
        yield return CsvSaved("csv-prompt-newlines-and-tabs", "a multi-line prompt with tabs", Prompt("Line one\r\n\tline two\rline three"), "0002-line-one-line-two-line-three-{id}.mp4");
        yield return CsvSaved("csv-prompt-fullwidth-formula", "a full-width equals sign, which no spreadsheet runs", Prompt("\uFF1Dcmd|' /C calc'!A0"), "0002-cmd-c-calc-a0-{id}.mp4");
        yield return CsvRefused("csv-prompt-lone-high-surrogate", "half of an emoji (a lone high surrogate)", Prompt("A cat \uD83D on a fence"), ["Prompt", "UTF-8"]);
        yield return CsvRefused("csv-prompt-lone-low-surrogate", "the other half of an emoji alone", Prompt("\uDE00 a fence at dusk"), ["Prompt", "UTF-8"]);
        yield return CsvRefused("csv-prompt-reversed-surrogates", "an emoji's halves in the wrong order", Prompt("A dog \uDE00\uD83D running"), ["Prompt", "UTF-8"]);

        // Formula injection: in the prompt (returned as given, the user's own text) and in columns that reach the file name.
        yield return CsvSaved("csv-prompt-formula", "a prompt that is a spreadsheet formula", Prompt("=cmd|' /C calc'!A0"), "0002-cmd-c-calc-a0-{id}.mp4", batch: true);
        yield return CsvSaved("csv-tag-formula-equals", "=cmd in a column named by the template", Shot("=cmd|' /C calc'!A0"), "_=cmd_' _C calc'!A0.mp4", ShotTemplate, batch: true);
        yield return CsvSaved("csv-tag-formula-plus", "+ formula", Shot("+SUM(1+1)*cmd|' /C calc'!A0"), "_+SUM(1+1)_cmd_' _C calc'!A0.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-minus", "- formula", Shot("-2+3+cmd|' /C calc'!A0"), "_-2+3+cmd_' _C calc'!A0.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-at", "@ formula", Shot("@SUM(1+1)*cmd|' /C calc'!A0"), "_@SUM(1+1)_cmd_' _C calc'!A0.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-tab-prefixed", "a formula behind a tab", Shot("\t=1+1"), "_=1+1.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-cr-prefixed", "a formula behind a carriage return", Shot("\r=1+1"), "_=1+1.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-crlf-prefixed", "an @ formula behind a line break", Shot("\r\n@SUM(A1)"), "_@SUM(A1).mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-space-prefixed", "a formula behind spaces", Shot("   =1+1"), "_=1+1.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-nul-prefixed", "a formula behind a NUL", Shot("\0=1+1"), "_=1+1.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-hyperlink", "a HYPERLINK formula", Shot("=HYPERLINK(\"http://evil.example/\",\"open\")"), "_=HYPERLINK(_http___evil.example__,_open_).mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-dde", "a DDE formula", Shot("=DDE(\"cmd\";\"/C calc\";\"!A0\")"), "_=DDE(_cmd_;__C calc_;_!A0_).mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-formula-after-index", "a formula after the row number", Shot("=1+1"), "2-=1+1.mp4", "{index}-{shot}");
        yield return CsvRefused("csv-provider-cell-formula", "a Provider cell holding a formula", Row(("Prompt", "a cat"), ("Provider", "=cmd|' /C calc'!A0")), NotAProvider);
        yield return CsvRefused("csv-provider-cell-unknown", "a Provider cell naming no provider", Row(("Prompt", "a cat"), ("Provider", "OpenAI")), ["not a provider", "Use one of"]);
        yield return CsvRefused("csv-provider-cell-path", "a Provider cell holding a path", Row(("Prompt", "a cat"), ("Provider", "../../replicate")), NotAProvider);
        yield return CsvRefused("csv-model-cell-formula", "a Model cell holding a formula", Row(("Prompt", "a cat"), ("Model", "=1+1")), ["Model", "not a Hailuo 2.3 model"]);
        yield return CsvRefused("csv-resolution-cell-with-nul", "a Resolution cell with a NUL after 768p", Row(("Prompt", "a cat"), ("Resolution", "768p\0")), ["Resolution", "not available"]);
        yield return CsvRefused("csv-callback-cell-javascript", "a javascript: callback", Row(("Prompt", "a cat"), ("CallbackUrl", "javascript:alert(1)")), ["CallbackUrl", "absolute URL"]);
        yield return CsvRefused("csv-callback-cell-file-scheme", "a file: callback", Row(("Prompt", "a cat"), ("CallbackUrl", "file:///etc/passwd")), ["CallbackUrl", "scheme"]);

        // Paths and device names in a column that reaches the file name.
        yield return CsvSaved("csv-tag-traversal", "../../ in a file-name column", Shot("../../escape"), "_._escape.mp4", ShotTemplate, batch: true);
        yield return CsvSaved("csv-tag-traversal-backslash", @"..\..\ in a file-name column", Shot(@"..\..\escape"), "_._escape.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-absolute-path", "an absolute path to the folder above", Shot("{root}/escape"), null, ShotTemplate);
        yield return CsvSaved("csv-tag-drive-path", "a Windows drive path", Shot(@"C:\Windows\System32\evil"), "C__Windows_System32_evil.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-unc-path", "a UNC path", Shot(@"\\server\share\evil"), "__server_share_evil.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-device-con", "CON", Shot("CON"), "_CON.mp4", ShotTemplate, batch: true);
        yield return CsvSaved("csv-tag-device-nul-with-extension", "nul.mp4", Shot("nul.mp4"), "_nul.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-device-aux", "aux", Shot("aux"), "_aux.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-device-com1", "COM1", Shot("COM1"), "_COM1.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-device-lpt-with-extension", "lpt9.txt", Shot("lpt9.txt"), "_lpt9.txt.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-device-superscript", "COM¹, a device on Windows too", Shot("COM\u00B9"), "_COM\u00B9.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-empty", "an empty file-name column", Shot(""), "{id}.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-dot-dot", "..", Shot(".."), "{id}.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-rtl-extension-spoof", "an override that makes gpj.exe read as exe.jpg", Shot("evil\u202Egpj.exe"), "evilgpj.exe.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-line-breaks", "line breaks and tabs in a file-name column", Shot("a\nb\rc\td"), "abcd.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-trailing-dots-and-spaces", "trailing dots and spaces, which Windows drops", Shot("take. . ."), "take.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-encoded-traversal", "%2e%2e%2f, which no file system decodes", Shot("%2e%2e%2fescape"), "%2e%2e%2fescape.mp4", ShotTemplate);
        yield return CsvSaved("csv-tag-tilde", "~ at the start", Shot("~root"), "~root.mp4", ShotTemplate);
        yield return new HostileCase
        {
            Name = "csv-tag-same-file-name-as-earlier-row", Group = HostileGroup.CsvRow, What = "a file-name column naming the file an earlier run saved",
            Earlier = new Dictionary<string, string?> { ["Prompt"] = "an earlier run's row", ["shot"] = "taken" },
            Cells = Shot("taken"), Template = ShotTemplate, PaidCreates = 1, Mentions = ["already holds the video of job"], Kind = HailuoErrorKind.Validation,
        };
        yield return CsvSaved("csv-tag-column-named-date", "a 'date' column, which the built-in token wins over", Row(("Prompt", "a dated row"), ("date", "../../escape")), null, "{date}");
        yield return CsvSaved("csv-tag-column-with-empty-name", "a column whose header is empty", Row(("Prompt", "a row with a nameless column"), ("", "../../escape")), "0002-a-row-with-a-nameless-column-{id}.mp4");
    }

    // ---- Images ------------------------------------------------------------------------------------------------

    private static IEnumerable<HostileCase> Images()
    {
        // Bad paths.
        yield return ImageRefused("img-missing-file", "a file that does not exist", f => Path.Combine(f.Input, "nope.png"), ["does not exist"], batch: true);
        yield return ImageRefused("img-folder", "a folder", f => f.Input, ["is a folder"]);
        yield return ImageRefused("img-empty-file", "an empty file", f => f.Write("empty.png", []), ["0 bytes"]);
        yield return ImageRefused("img-named-pipe", "a named pipe, which never ends", f => HostileFiles.Fifo(Path.Combine(f.Input, "pipe.png")), ["0 bytes"], batch: true);
        yield return ImageRefused("img-device-zero", "/dev/zero, endless zeros", _ => OperatingSystem.IsWindows() ? @"\\.\NUL" : "/dev/zero", ["0 bytes"]);
        yield return ImageRefused("img-path-with-nul", "a path with a NUL in it", f => Path.Combine(f.Input, "cat\0.png"), ["not a valid file path"]);
        yield return ImageRefused("img-traversal-to-text", "../ leading out of a folder and back to a text file", f =>
        {
            f.Write("notes.txt", HostileFiles.Ascii("not a picture"));
            return Path.Combine(f.Input, "..", "input", "..", "input", "notes.txt");
        }, ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-symlink-loop", "a symbolic link that points to itself", f =>
        {
            var link = Path.Combine(f.Input, "loop.png");
            File.CreateSymbolicLink(link, link);
            return link;
        }, ["cannot be read"]);
        yield return ImageRefused("img-symlink-to-folder", "a link to a folder", f =>
        {
            var link = Path.Combine(f.Input, "folder.png");
            Directory.CreateSymbolicLink(link, f.Input);
            return link;
        }, ["is a folder"]);
        yield return ImageRefused("img-javascript-url", "javascript:, taken as a file name", _ => "javascript:alert(1)", ["does not exist"]);
        yield return ImageRefused("img-unc-path", "a UNC path", _ => @"\\attacker\share\cat.png", ["does not exist"]);
        yield return ImageRefused("img-path-4096-characters", "a 4,096-character path", f => Path.Combine(f.Input, new string('p', 4096) + ".png"), ["does not exist"]);
        yield return ImageRefused("img-cell-with-line-break", "a path with a line break after it", f => f.Write("cat.png", HostileFiles.Png(800, 600)) + "\n", ["does not exist"]);

        // Wrong types, whatever their names say.
        yield return ImageRefused("img-text-named-png", "text named .png", f => f.Write("text.png", HostileFiles.Ascii("hello, I am not a picture")), ["JPG, PNG or WebP"], batch: true);
        yield return ImageRefused("img-gif", "a GIF", f => f.Write("anim.gif", HostileFiles.Ascii("GIF89a\u0001\u0000\u0001\u0000")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-bmp-named-jpg", "a BMP named .jpg", f => f.Write("bmp.jpg", HostileFiles.Ascii("BM6\0\0\0\0\0\0\06\0\0\0(\0\0\0")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-svg-named-png", "an SVG named .png", f => f.Write("vector.png", HostileFiles.Ascii("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"600\"/>")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-pdf", "a PDF", f => f.Write("doc.pdf", HostileFiles.Ascii("%PDF-1.7\n%\u00e2\u00e3")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-html-named-jpg", "an HTML page named .jpg", f => f.Write("page.jpg", HostileFiles.Ascii("<!DOCTYPE html><html><body>login</body></html>")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-executable-named-png", "a Windows executable named .png", f => f.Write("setup.png", HostileFiles.Ascii("MZ\u0090\0\u0003\0\0\0\u0004\0\0\0")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-zip-named-webp", "a ZIP named .webp", f => f.Write("archive.webp", HostileFiles.Ascii("PK\u0003\u0004\u0014\0\0\0\b\0")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-mp4-named-png", "an MP4 named .png", f => f.Write("clip.png", HostileFiles.Ascii("\0\0\0\u0018ftypmp42\0\0\0\0mp42isom")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-tiff", "a TIFF", f => f.Write("scan.tif", HostileFiles.Ascii("II*\0\b\0\0\0\u0010\0")), ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-heic-named-jpg", "an iPhone HEIC named .jpg", f => f.Write("IMG_0001.jpg", HostileFiles.Ascii("\0\0\0\u0018ftypheic\0\0\0\0mif1heic")), ["JPG, PNG or WebP"]);

        // Truncated or corrupt headers.
        yield return ImageRefused("img-png-signature-only", "a PNG cut after its signature", f => f.Write("cut.png", HostileFiles.Png(800, 600)[..8]), ["cut short or corrupt"], batch: true);
        yield return ImageRefused("img-png-cut-in-header", "a PNG cut inside its size", f => f.Write("cut.png", HostileFiles.Png(800, 600)[..20]), ["cut short or corrupt"]);
        yield return ImageRefused("img-png-zero-size", "a PNG that says it is 0 by 0", f => f.Write("zero.png", HostileFiles.Png(0, 0)), ["cut short or corrupt"]);
        yield return ImageRefused("img-png-impossible-size", "a PNG wider than 2^31 pixels", f => f.Write("huge.png", HostileFiles.Png(0xFFFFFFFF, 1000)), ["cut short or corrupt"]);
        yield return ImageRefused("img-jpeg-without-frame", "a JPEG that ends before its frame header", f => f.Write("noframe.jpg", HostileFiles.JpegWithoutFrame()), ["cut short or corrupt"]);
        yield return ImageRefused("img-jpeg-start-only", "the first three bytes of a JPEG", f => f.Write("start.jpg", [0xFF, 0xD8, 0xFF]), ["cut short or corrupt"]);
        yield return ImageRefused("img-webp-riff-only", "a WebP cut after its RIFF header", f => f.Write("cut.webp", HostileFiles.Ascii("RIFF\0\0\0\0WEBP")), ["cut short or corrupt"]);

        // Sizes the providers refuse.
        yield return ImageRefused("img-too-small", "100 by 100 pixels", f => f.Write("tiny.png", HostileFiles.Png(100, 100)), ["at least 300 pixels"]);
        yield return ImageRefused("img-too-wide", "10:1", f => f.Write("wide.png", HostileFiles.Png(3000, 300)), ["aspect ratio"]);
        yield return ImageRefused("img-too-tall", "1:10", f => f.Write("tall.png", HostileFiles.Png(300, 3000)), ["aspect ratio"]);
        yield return ImageRefused("img-oversize-file", "a 20 MB + 1 byte PNG", f =>
        {
            var path = Path.Combine(f.Input, "big.png");
            HostileFiles.WriteLong(path, HostileFiles.Png(1920, 1080), 20L * 1024 * 1024 + 1);
            return path;
        }, ["20 MB"], batch: true);

        // URLs and data URIs.
        yield return ImageRefused("img-http-url-elsewhere", "plain http to another computer", _ => "http://images.example/cat.png", ["http", "https://"]);
        yield return ImageRefused("img-file-url", "a file: URL", _ => "file:///etc/passwd", ["file scheme"]);
        yield return ImageRefused("img-ftp-url", "an ftp: URL", _ => "ftp://images.example/cat.png", ["ftp scheme"]);
        yield return ImageRefused("img-url-without-host", "https:// and nothing else", _ => "https://", ["absolute URL"]);
        yield return ImageRefused("img-data-uri-without-comma", "a data URI with no data", _ => "data:image/png;base64", ["base64"]);
        yield return ImageRefused("img-data-uri-not-base64", "a data URI whose data is not base64", _ => "data:image/png;base64,@@@@", ["not valid base64"]);
        yield return ImageRefused("img-data-uri-html", "a data URI of an HTML page", _ => "data:text/html;base64,PGh0bWw+PC9odG1sPg==", ["only image/jpeg"]);
        yield return ImageRefused("img-data-uri-svg", "a data URI of an SVG", _ => "data:image/svg+xml;base64,PHN2Zy8+", ["only image/jpeg"]);
        yield return ImageRefused("img-data-uri-gif-typed-png", "a GIF in a data URI typed image/png", _ => "data:image/png;base64,R0lGODlhAQABAAAAACw=", ["JPG, PNG or WebP"]);
        yield return ImageRefused("img-data-uri-plain-text", "data:,hello", _ => "data:,hello", ["base64"]);
        yield return ImageRefused("img-data-uri-oversize", "a data URI of 20 MB + 1 byte", _ =>
        {
            var bytes = new byte[20 * 1024 * 1024 + 1];
            HostileFiles.Png(1920, 1080).CopyTo(bytes, 0);
            return "data:image/png;base64," + Convert.ToBase64String(bytes);
        }, ["20 MB"]);
    }

    // ---- Server answers ----------------------------------------------------------------------------------------

    private static IEnumerable<HostileCase> ServerAnswers()
    {
        // Job ids a create answer may name: paths, device names, formulas, controls. The create is paid for;
        // an id that cannot be a job's is refused, and the row is never paid for again.
        foreach (var (name, id, batch) in new (string, string, bool)[]
        {
            ("traversal", "../../escape", true),
            ("traversal-backslash", @"..\..\escape", false),
            ("absolute-path", "{root}/pwned", false),
            ("drive-path", @"C:\Windows\win.ini", false),
            ("unc-path", @"\\server\share\x", false),
            ("formula-equals", "=cmd|' /C calc'!A0", true),
            ("formula-plus", "+SUM(1+1)", false),
            ("formula-minus", "-2+3", false),
            ("formula-at", "@SUM(A1)", false),
            ("formula-tab", "\t=1+1", false),
            ("formula-cr", "\r=1+1", false),
            ("nul", "a\0b", false),
            ("header-injection", "a\r\nX-Injected: yes", false),
            ("5000-characters", new string('x', 5000), false),
            ("rtl-override", "\u202Eexe.mp4", false),
            ("dot-dot", "..", false),
            ("encoded-traversal", "%2e%2e%2fescape", false),
            ("embedded-traversal", "job/../../escape", false),
        })
        {
            yield return ServerRefused($"server-create-id-{name}", $"a create answer naming the job '{Visible(id)}'",
                Create(Json(new { id, status = "starting" })), ["not a job id", "not resubmitted"], HailuoErrorKind.OutcomeUnknown, paid: 1, batch);
        }
        yield return ServerRefused("server-create-id-empty", "a create answer with an empty id", Create("""{"id":"","status":"starting"}"""), ["names no job id"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerRefused("server-create-id-object", "a create answer whose id is an object", Create("""{"id":{"path":"../x"},"status":"starting"}"""), ["names no job id"], HailuoErrorKind.OutcomeUnknown, paid: 1);

        // Reserved device names as ids: harmless ids, made safe where they meet the file system.
        foreach (var (id, file, batch) in new[] { ("CON", "_CON", true), ("nul", "_nul", false), ("COM1", "_COM1", false), ("LPT9", "_LPT9", false), ("aux.mp4", "_aux", false), ("prn.txt", "_prn.txt", false) })
        {
            yield return ServerSaved($"server-create-id-device-{id.ToLowerInvariant().Replace('.', '-')}", $"a job whose id is the device name {id}",
                new HostileAnswer { Provider = ProviderNames.Replicate, Operation = Operation.Create, JobId = id }, file + ".mp4", "{id}", batch);
        }

        // Damaged create answers: the job may exist and be paid for, so it is never sent again; an id that survives is kept.
        yield return ServerRefused("server-create-html-page", "a create answered 200 with an HTML page", Create("<html><body>502 Bad Gateway</body></html>", "text/html"), ["damaged", "not resubmitted"], HailuoErrorKind.OutcomeUnknown, paid: 1, batch: true);
        yield return ServerRefused("server-create-json-cut", "a create answer cut inside its id", Create("""{"id": "abc"""), ["damaged", "not resubmitted"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerRefused("server-create-json-nested-100000", "a create answer nested 100,000 deep", Create("{nest}", nest: 100_000), ["damaged", "not resubmitted"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerRefused("server-create-json-null", "a create answer of JSON null", Create("null"), ["names no job id"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerRefused("server-create-json-array", "a create answer that is an empty array", Create("[]"), ["names no job id"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerRefused("server-create-json-string", "a create answer that is a string", Create("\"accepted\""), ["names no job id"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerRefused("server-create-declared-10-gb", "a create answer declaring 10 GB", Create("""{"id":"{id}","status":"starting"}""", length: Gigabytes10), ["damaged", "not resubmitted"], HailuoErrorKind.OutcomeUnknown, paid: 1, batch: true);
        yield return ServerRefused("server-create-header-100-kb", "a create answer with a 100 KB header", Create("""{"id":"{id}","status":"starting"}""", header: ("X-Padding", new string('p', 100_000))), ["may or may not", "not resubmitted"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerSaved("server-create-body-5-mb-with-id", "a 5 MB create answer, of no declared length, whose id comes first", Create("""{"id":"{id}","status":"starting"}""", pad: 5L << 20, chunked: true), "2-{id}.mp4", batch: true);
        yield return ServerSaved("server-create-json-nested-with-id", "a create answer nested 1,000 deep after its id", Create("""{"id":"{id}","deep":{nest}}""", nest: 1000), "2-{id}.mp4");
        yield return ServerSaved("server-create-json-cut-after-id", "a create answer cut after its id", Create("""{"id":"{id}","status":"sta"""), "2-{id}.mp4");
        yield return ServerSaved("server-create-says-done-elsewhere", "a create answer saying the video is already done, on another host", Create("""{"id":"{id}","status":"succeeded","output":"{video-elsewhere}"}"""), "2-{id}.mp4");

        // Status answers: once (retried and recovered) or always (a clear error).
        yield return ServerSaved("server-status-declared-10-gb", "a status answer declaring 10 GB, once", Status("""{"id":"{id}","status":"processing"}""", length: Gigabytes10), "2-{id}.mp4", batch: true);
        yield return ServerSaved("server-status-html-page", "a status answer that is an HTML page, once", Status("<html>503</html>", "text/html"), "2-{id}.mp4");
        yield return ServerSaved("server-status-json-cut-three-times", "three status answers cut short", Status("""{"status":""", times: 3), "2-{id}.mp4");
        yield return ServerSaved("server-status-json-nested-100000", "a status answer nested 100,000 deep, once", Status("{nest}", nest: 100_000), "2-{id}.mp4");
        yield return ServerSaved("server-status-unknown-word", "a status of <script>, twice", Status("""{"id":"{id}","status":"<script>alert(1)</script>"}""", times: 2), "2-{id}.mp4");
        yield return ServerSaved("server-status-id-traversal", "status answers naming another, hostile id", Status("""{"id":"../../escape","status":"succeeded","output":"{video}"}""", times: null), "2-{id}.mp4");
        yield return ServerSaved("server-status-output-elsewhere", "a video link on another host", Status("""{"id":"{id}","status":"succeeded","output":"{video-elsewhere}"}""", times: null), "2-{id}.mp4", batch: true);
        yield return ServerRefused("server-status-html-forever", "status answers that are HTML pages, every time", Status("<html>503</html>", "text/html", times: null), ["could not be read", "not JSON"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-status-output-file-url", "a video 'link' to a local file", Status("""{"id":"{id}","status":"succeeded","output":"file:///etc/passwd"}""", times: null), ["no video link"], HailuoErrorKind.Protocol, paid: 1, batch: true);
        yield return ServerRefused("server-status-output-javascript", "a javascript: video link", Status("""{"id":"{id}","status":"succeeded","output":"javascript:alert(1)"}""", times: null), ["no video link"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-status-output-missing", "succeeded, with no output", Status("""{"id":"{id}","status":"succeeded"}""", times: null), ["no video link"], HailuoErrorKind.Protocol, paid: 1);
        foreach (var (name, error, batch) in new[]
        {
            ("equals", "=HYPERLINK(\"http://evil.example\",\"details\")", true),
            ("plus", "+cmd|' /C calc'!A0", false),
            ("minus", "-1+1|cmd", false),
            ("at", "@SUM(1+1)", false),
            ("tab", "\t=1+1", false),
            ("cr", "\r=1+1", false),
        })
        {
            yield return ServerRefused($"server-status-error-formula-{name}", $"a failure reason that starts a formula ({name})",
                Status(Json(new { id = "{id}", status = "failed", error }), times: null), [error.Trim()[..4]], HailuoErrorKind.JobFailed, paid: 1, batch);
        }
        yield return ServerRefused("server-status-404-empty", "a 404 with an empty body", Status("", null, status: 404, times: null), ["HTTP 404", "without saying why"], HailuoErrorKind.NotFound, paid: 1);
        yield return ServerRefused("server-status-404-formula-detail", "a 404 whose detail is a formula", Status("""{"status":404,"detail":"=cmd|' /C calc'!A0"}""", "application/problem+json", status: 404, times: null), ["cmd|"], HailuoErrorKind.NotFound, paid: 1);

        // Downloads: lengths that lie, bodies that are not videos, names and redirects that point elsewhere.
        yield return ServerRefused("server-download-declared-10-gb", "a video declaring 10 GB", Download(video: true, length: Gigabytes10), ["more than the limit"], HailuoErrorKind.Protocol, paid: 1, batch: true);
        yield return ServerRefused("server-download-declared-short", "a Content-Length 1,000 bytes short of the video", Download(video: true, length: 1000), ["not a complete MP4"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-download-declared-long", "a Content-Length the body never reaches, every time", Download(video: true, length: 10_000_000, times: null), ["failed", "times"], HailuoErrorKind.Transient, paid: 1);
        yield return ServerRefused("server-download-html-page", "an HTML login page instead of the video", Download("<html><body>Sign in</body></html>", "text/html"), ["instead of a video"], HailuoErrorKind.Protocol, paid: 1, batch: true);
        yield return ServerRefused("server-download-json-error", "a JSON error instead of the video", Download("""{"error":"AccessDenied"}""", "application/json"), ["instead of a video"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-download-xml-error", "an XML error instead of the video", Download("<Error><Code>AccessDenied</Code></Error>", "application/xml"), ["instead of a video"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-download-html-typed-mp4", "an HTML page served as video/mp4", Download("<!DOCTYPE html><html>gotcha</html>", "video/mp4"), ["not an MP4"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-download-png-typed-png", "a picture instead of the video", Download("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR", "image/png"), ["not an MP4"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-download-empty", "an empty 200", Download("", "video/mp4"), ["not an MP4"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerSaved("server-download-octet-stream", "the video typed application/octet-stream", Download(video: true, type: "application/octet-stream"), "2-{id}.mp4");
        yield return ServerSaved("server-download-no-content-type", "the video with no Content-Type", Download(video: true, type: null), "2-{id}.mp4");
        foreach (var (name, disposition, batch) in new[]
        {
            ("traversal", "attachment; filename=\"../../escape.mp4\"", true),
            ("absolute", "attachment; filename=\"{root}/pwned.mp4\"", false),
            ("encoded", "attachment; filename*=UTF-8''..%2F..%2Fescape.mp4", false),
            ("device", "attachment; filename=\"CON\"", false),
        })
        {
            yield return ServerSaved($"server-download-file-name-{name}", $"a download that names its file ({name})",
                Download(video: true, header: ("Content-Disposition", disposition)), "2-{id}.mp4", batch: batch);
        }
        yield return ServerSaved("server-download-redirect-elsewhere", "a download redirected to another host", Redirect(Operation.Download, 302, "{video-elsewhere}", times: 1), "2-{id}.mp4", batch: true);
        yield return ServerRefused("server-download-redirect-file-url", "a download redirected to a local file", Redirect(Operation.Download, 302, "file:///etc/passwd"), ["only http and https"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-download-redirect-ftp", "a download redirected to ftp", Redirect(Operation.Download, 302, "ftp://127.0.0.1/video.mp4"), ["only http and https"], HailuoErrorKind.Protocol, paid: 1);
        yield return ServerRefused("server-download-redirect-loop", "a download redirected to itself, forever", Redirect(Operation.Download, 302, "{video}"), ["redirected 10 times"], HailuoErrorKind.Protocol, paid: 1);

        // Redirects and waits on API calls.
        yield return ServerRefused("server-create-redirect-elsewhere", "a create redirected (307) to another host", Redirect(Operation.Create, 307, "{other}/replicate/v1/models/minimax/hailuo-2.3/predictions", times: 1), ["redirect"], HailuoErrorKind.Protocol, paid: 1, batch: true);
        yield return ServerRefused("server-create-redirect-303", "a create answered 303 See Other", Redirect(Operation.Create, 303, "{other}/replicate/v1/predictions/x", times: 1), ["redirect"], HailuoErrorKind.OutcomeUnknown, paid: 1);
        yield return ServerSaved("server-status-redirect-elsewhere", "a status read redirected to another host, once", Redirect(Operation.Status, 307, "{other}/replicate/v1/predictions/{id}", times: 1), "2-{id}.mp4");
        yield return ServerRefused("server-status-redirect-loop", "status reads redirected to themselves, forever", Redirect(Operation.Status, 302, "{other}/replicate/v1/predictions/{id}"), ["kept redirecting"], HailuoErrorKind.Protocol, paid: 1);
        string[] notWaited = ["asked to wait", "not retried"];
        yield return ServerRefused("server-create-retry-after-31-years", "a 429 asking to wait 31 years", Answer(Operation.Create, 429, """{"detail":"slow down"}""", handle: false, header: ("Retry-After", "999999999")), notWaited, HailuoErrorKind.RateLimited, paid: 1, batch: true);
        yield return ServerRefused("server-create-retry-after-in-body-overflow", "a 429 whose retry_after overflows a time span", Answer(Operation.Create, 429, """{"detail":"slow down","retry_after":1e300}""", handle: false), notWaited, HailuoErrorKind.RateLimited, paid: 1);
        yield return ServerRefused("server-create-retry-after-year-9999", "a 429 asking to come back in the year 9999", Answer(Operation.Create, 429, """{"detail":"slow down"}""", handle: false, header: ("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")), notWaited, HailuoErrorKind.RateLimited, paid: 1);
        yield return ServerSaved("server-status-retry-after-31-years", "a status read told to wait 31 years", Answer(Operation.Status, 429, """{"detail":"slow down"}""", handle: false, header: ("Retry-After", "999999999")), "2-{id}.mp4");
    }

    // ---- Builders ----------------------------------------------------------------------------------------------

    private static Func<CaseFolder, IReadOnlyDictionary<string, string?>> Row(params (string Column, string? Value)[] cells) =>
        folder => cells.ToDictionary(c => c.Column, c => c.Value?.Replace("{root}", folder.Root, StringComparison.Ordinal), StringComparer.Ordinal);

    private static Func<CaseFolder, IReadOnlyDictionary<string, string?>> Prompt(string prompt) => Row(("Prompt", prompt));

    private static Func<CaseFolder, IReadOnlyDictionary<string, string?>> Shot(string value) => Row(("Prompt", "a row whose shot column is hostile"), ("shot", value));

    private static HostileCase CsvRefused(string name, string what, Func<CaseFolder, IReadOnlyDictionary<string, string?>> cells, string[] mentions, string? template = null, bool batch = false) => new()
    {
        Name = name, Group = HostileGroup.CsvRow, What = what, Cells = cells, Mentions = mentions, Kind = HailuoErrorKind.Validation, Template = template, Batch = batch,
    };

    private static HostileCase CsvSaved(string name, string what, Func<CaseFolder, IReadOnlyDictionary<string, string?>> cells, string? savedAs, string? template = null, bool batch = false) => new()
    {
        Name = name, Group = HostileGroup.CsvRow, What = what, Cells = cells, Expect = Saved, SavedAs = savedAs, PaidCreates = 1, Template = template, Batch = batch,
    };

    private static HostileCase ImageRefused(string name, string what, Func<CaseFolder, string> image, string[] mentions, bool batch = false) => new()
    {
        Name = name, Group = HostileGroup.Image, What = what, Mentions = mentions, Kind = HailuoErrorKind.Validation, Batch = batch,
        Cells = folder => new Dictionary<string, string?> { ["Prompt"] = "a cat turning its head", ["FirstFrameImage"] = image(folder) },
    };

    private static HostileCase ServerRefused(string name, string what, HostileAnswer answer, string[] mentions, HailuoErrorKind? kind, int paid, bool batch = false) => new()
    {
        Name = name, Group = HostileGroup.ServerAnswer, What = what, Answers = [answer], Mentions = mentions, Kind = kind, PaidCreates = paid, Batch = batch,
        Cells = _ => new Dictionary<string, string?> { ["Prompt"] = "hostile row of " + name },
    };

    private static HostileCase ServerSaved(string name, string what, HostileAnswer answer, string savedAs, string template = IdTemplate, bool batch = false) => new()
    {
        Name = name, Group = HostileGroup.ServerAnswer, What = what, Answers = [answer], Expect = Saved, SavedAs = savedAs, Template = template, PaidCreates = 1, Batch = batch,
        Cells = _ => new Dictionary<string, string?> { ["Prompt"] = "hostile row of " + name },
    };

    private static HostileAnswer Answer(Operation operation, int status, string? body, string? type = "application/json", bool handle = true,
        int? times = 1, long? length = null, long? pad = null, int nest = 0, bool video = false, (string Name, string Value)? header = null, bool chunked = false)
    {
        var answer = new HostileAnswer
        {
            Provider = ProviderNames.Replicate, Operation = operation, Status = status, Body = body, ContentType = type, Handle = handle,
            Times = times, ContentLength = length, PadTo = pad, NestDepth = nest, Video = video, Chunked = chunked,
        };
        if (header is { } h)
        {
            answer.Headers[h.Name] = h.Value;
        }
        return answer;
    }

    /// <summary>The create is made and paid for; this is what comes back instead of its answer.</summary>
    private static HostileAnswer Create(string body, string type = "application/json", long? length = null, long? pad = null, int nest = 0, (string, string)? header = null, bool chunked = false) =>
        Answer(Operation.Create, 201, body, type, length: length, pad: pad, nest: nest, header: header, chunked: chunked);

    private static HostileAnswer Status(string body, string? type = "application/json", int status = 200, int? times = 1, long? length = null, int nest = 0) =>
        Answer(Operation.Status, status, body, type, times: times, length: length, nest: nest);

    private static HostileAnswer Download(string? body = null, string? type = "video/mp4", bool video = false, long? length = null, int? times = 1, (string, string)? header = null) =>
        Answer(Operation.Download, 200, body, type, times: times, length: length, video: video, header: header);

    private static HostileAnswer Redirect(Operation operation, int status, string location, int? times = null) =>
        Answer(operation, status, null, null, handle: false, times: times, header: ("Location", location));

    private static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>A value as a case's description shows it: controls escaped, long ones cut.</summary>
    private static string Visible(string text)
    {
        var shown = string.Concat(text.Take(40).Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > 40 ? shown + "..." : shown;
    }
}
