using System.Runtime.InteropServices;
using Hailuo.Downloads;

namespace Hailuo.Tests.Engine.Downloads;

public sealed class WriteBehindTests
{
    [Fact]
    public void Hints_over_several_strides_leave_the_bytes_as_written_and_stay_available_on_Linux()
    {
        var path = Path.Combine(Path.GetTempPath(), "hailuo-writebehind-" + Guid.NewGuid().ToString("N"));
        try
        {
            var chunk = new byte[1 << 20];
            new Random(7).NextBytes(chunk);
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous))
            {
                var behind = new WriteBehind(file, 0);
                for (var i = 0; i < 3 * WriteBehind.Stride / chunk.Length; i++)
                {
                    file.Write(chunk, 0, chunk.Length);
                    behind.Written(file.Length);
                }
                file.SetLength(chunk.Length); // cut back, as a restart from scratch does
                behind.Written(file.Length);
                file.Flush(flushToDisk: true);
            }
            Assert.Equal(chunk, File.ReadAllBytes(path));
            // The call must really be there on Linux: otherwise the download's disk work silently stops overlapping.
            Assert.Equal(RuntimeInformation.IsOSPlatform(OSPlatform.Linux), WriteBehind.Available);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
