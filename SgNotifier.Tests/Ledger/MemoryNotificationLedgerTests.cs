using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Ledger;

namespace SgNotifier.Tests.Ledger;

public sealed class MemoryNotificationLedgerTests : NotificationLedgerTests
{
    protected override Task<INotificationLedger> CreateLedgerAsync() =>
        Task.FromResult<INotificationLedger>(new MemoryNotificationLedger(
            Options.Create(new LedgerOptions { LeaseDuration = Lease }), Time, NullLogger<MemoryNotificationLedger>.Instance));
}
