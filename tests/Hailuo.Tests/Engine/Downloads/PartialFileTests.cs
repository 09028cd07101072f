using Hailuo.Downloads;
using Hailuo.Models;
using static Hailuo.Tests.Engine.Downloads.DownloadTestKit;

namespace Hailuo.Tests.Engine.Downloads;

/// <summary>
/// The temp file's life on its own: held open from creation to rename, so that no sweep (of this process or another)
/// can take a finished video for a killed download's leftover; published in one rename; deleted on failure.
/// </summary>
public sealed class PartialFileTests
{
    /// <summary>What a sweep does to tell an orphan: open it exclusively.</summary>
    private static bool CanBeTakenForAnOrphan(string path)
    {
        try
        {
            using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
            }
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public void A_verified_video_stays_held_until_its_rename_and_then_is_in_place()
    {
        using var folder = new TempFolder();
        var destination = folder.File("v.mp4");
        var clip = Clip();
        using var file = PartialFile.Create(destination);
        file.Stream.Write(clip);

        file.Verify(clip.Length);

        Assert.False(CanBeTakenForAnOrphan(file.Path));
        PartialFile.SweepOrphans(folder.Path);
        Assert.True(File.Exists(file.Path));

        file.Publish(destination, overwrite: false);
        file.Dispose();

        Assert.Equal(["v.mp4"], folder.Files());
        Assert.Equal(clip, File.ReadAllBytes(destination));
    }

    [Fact]
    public void A_file_that_fails_its_check_is_deleted_and_nothing_is_published()
    {
        using var folder = new TempFolder();
        var clip = Clip();
        var file = PartialFile.Create(folder.File("v.mp4"));
        file.Stream.Write(clip.AsSpan(0, clip.Length / 2));

        var error = Assert.Throws<HailuoException>(() => file.Verify(null));
        file.Dispose();

        Assert.Equal(HailuoErrorKind.Protocol, error.Error.Kind);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public void A_destination_that_appeared_meanwhile_is_kept_unless_overwriting()
    {
        using var folder = new TempFolder();
        var destination = folder.Write("v.mp4", "someone else's"u8.ToArray());
        var clip = Clip();
        var kept = PartialFile.Create(destination);
        kept.Stream.Write(clip);
        kept.Verify(clip.Length);

        var error = Assert.Throws<HailuoException>(() => kept.Publish(destination, overwrite: false));
        kept.Dispose();
        var replaced = PartialFile.Create(destination);
        replaced.Stream.Write(clip);
        replaced.Verify(clip.Length);
        replaced.Publish(destination, overwrite: true);
        replaced.Dispose();

        Assert.Equal(HailuoRemedy.OverwriteOrRename, error.Error.Remedy);
        Assert.Equal(["v.mp4"], folder.Files());
        Assert.Equal(clip, File.ReadAllBytes(destination));
    }
}
