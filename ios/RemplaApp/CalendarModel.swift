import Foundation
import RemplaFFI

/// The calendar screen's state over the generated bindings: the shown month's occurrences, the pending
/// changes badge and the last error (code + French message from Rust).
@MainActor
final class CalendarModel: ObservableObject {
    @Published private(set) var month: Date = Calendar.current.dateInterval(of: .month, for: Date())!.start
    @Published private(set) var occurrences: [Occurrence] = []
    @Published private(set) var pendingChanges: UInt64 = 0
    @Published var error: String?

    let calendar: OfflineCalendar?
    private let iso: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f
    }()

    init() {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        do {
            calendar = try OfflineCalendar.open(path: dir.appendingPathComponent("rempla.sqlite3").path)
        } catch {
            calendar = nil
            self.error = Self.describe(error)
        }
        reload()
    }

    func move(months: Int) {
        month = Calendar.current.date(byAdding: .month, value: months, to: month) ?? month
        reload()
    }

    func reload() {
        guard let calendar else { return }
        let end = Calendar.current.date(byAdding: .month, value: 1, to: month) ?? month
        do {
            occurrences = try calendar.listRange(from: iso.string(from: month), to: iso.string(from: end))
            pendingChanges = try calendar.pendingChanges()
            error = nil
        } catch {
            self.error = Self.describe(error)
        }
    }

    /// Adds a slot of `kind` on `day` (local date) in `department`, optionally weekly `count` times.
    func add(kind: ShiftKind, day: Date, department: String, weeklyCount: Int?) {
        guard let calendar else { return }
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        let weekday = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"][Calendar.current.component(.weekday, from: day) - 1]
        let input = AvailabilityInput(
            kind: kind, date: f.string(from: day), department: department,
            customStart: nil, customEnd: nil,
            rrule: weeklyCount.map { "FREQ=WEEKLY;BYDAY=\(weekday);COUNT=\($0)" },
            exceptions: [], note: nil)
        do {
            _ = try calendar.addAvailability(input: input)
            reload()
        } catch {
            self.error = Self.describe(error)
        }
    }

    func remove(_ occurrence: Occurrence, onlyThisDay: Bool) {
        guard let calendar else { return }
        do {
            if onlyThisDay {
                try calendar.removeOccurrence(id: occurrence.availabilityId, date: occurrence.localDate)
            } else {
                try calendar.removeAvailability(id: occurrence.availabilityId)
            }
            reload()
        } catch {
            self.error = Self.describe(error)
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let RemplaError.Invalid(code, reason), let RemplaError.NotFound(code, reason),
             let RemplaError.Conflict(code, reason), let RemplaError.Storage(code, reason),
             let RemplaError.Sync(code, reason), let RemplaError.Offline(code, reason),
             let RemplaError.Auth(code, reason), let RemplaError.Internal(code, reason):
            return "\(reason) [\(code)]"
        default:
            return error.localizedDescription
        }
    }
}
