using System.Collections.Concurrent;
using System.Diagnostics;
using Hailuo.Downloads;
using Hailuo.Models;
using Hailuo.Pipeline;

namespace Hailuo.Bench;

/// <summary>
/// What a batch did: refusals by the content filter are outcomes of the workload, not errors of the client. Noticed: when
/// the wait for each job (by id) ended, as Wait-HailuoJob learns that it is final.
/// </summary>
public sealed record BatchOutcome(TimeSpan Wall, int Succeeded, int Refused, int Downloaded, long Bytes, IReadOnlyList<string> Errors,
    IReadOnlyDictionary<string, DateTimeOffset> Noticed);

/// <summary>
/// <c>Import-Csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo</c> without PowerShell: creates
/// with New-HailuoVideo's cap on pending submits, each job waited for by the shared tracker, and
/// Save-HailuoVideo's number of downloads at once. Both caps are read from the commands' own defaults.
/// </summary>
public static class CmdletBatch
{
    public static async Task<BatchOutcome> RunAsync(HailuoClient client, string run, int rows, string folder, CancellationToken cancellationToken)
    {
        using var pending = new SemaphoreSlim(new VideoSubmissionOptions().MaxPendingSubmits);
        using var downloads = new SemaphoreSlim(new SaveBatchOptions().ThrottleLimit);
        var errors = new List<string>();
        var noticed = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var succeeded = 0;
        var refused = 0;
        var downloaded = 0;
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        var rowTasks = new List<Task>(rows);
        for (var row = 1; row <= rows; row++)
        {
            // As New-HailuoVideo does: the pipeline moves on once the create is under way, but never too many at once.
            await pending.WaitAsync(cancellationToken);
            rowTasks.Add(RowAsync(row));
        }
        await Task.WhenAll(rowTasks);
        clock.Stop();
        return new BatchOutcome(clock.Elapsed, succeeded, refused, downloaded, bytes, errors, noticed);

        async Task RowAsync(int row)
        {
            try
            {
                HailuoJob job;
                try
                {
                    job = await client.SubmitAsync(Lab.Request(run, row), new SubmitOptions(), cancellationToken);
                }
                finally
                {
                    pending.Release();
                }
                var done = await client.WaitAsync(job, null, cancellationToken);
                noticed.TryAdd(done.Id, DateTimeOffset.UtcNow);
                if (done.Error?.Kind == HailuoErrorKind.ContentFiltered)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
                if (done.Status != JobStatus.Succeeded)
                {
                    throw new InvalidOperationException($"job {done.Id} ended {done.Status}: {done.Error?.Message}");
                }
                Interlocked.Increment(ref succeeded);
                await downloads.WaitAsync(cancellationToken);
                try
                {
                    var path = FileNameTemplate.Render(FileNameTemplate.Default, done, row, folder);
                    var saved = await client.DownloadAsync(done, path, cancellationToken: cancellationToken);
                    Interlocked.Increment(ref downloaded);
                    Interlocked.Add(ref bytes, saved.Length);
                }
                finally
                {
                    downloads.Release();
                }
            }
            catch (Exception e) when (e is HailuoException or InvalidOperationException or IOException)
            {
                lock (errors)
                {
                    errors.Add($"row {row}: {e.Message}");
                }
            }
        }
    }
}
