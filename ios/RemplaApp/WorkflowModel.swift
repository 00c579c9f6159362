import Foundation
import RemplaFFI

/// French countdown labels (same rules as android/shared's `Countdown`, tested on the JVM).
enum Countdown {
    static func label(deadline: Date, now: Date) -> String {
        let left = Int(deadline.timeIntervalSince(now))
        if left <= 0 { return "Délai dépassé" }
        let days = left / 86_400, hours = (left % 86_400) / 3_600, minutes = (left % 3_600) / 60
        if days > 0 { return "Expire dans \(days) j \(hours) h" }
        if hours > 0 { return "Expire dans \(hours) h \(minutes) min" }
        if minutes > 0 { return "Expire dans \(minutes) min" }
        return "Expire dans moins d'une minute"
    }
}

/// Proposals (with a live countdown), missions with contacts, documents and privacy (export, APNs,
/// account closure) over the generated bindings. Mirrors android/shared's ProposalsViewModel,
/// MissionsViewModel, DocumentsViewModel and PrivacyViewModel; blocking calls run on a background queue.
@MainActor
final class WorkflowModel: ObservableObject, @unchecked Sendable {
    @Published private(set) var proposals: [ProposalRecord] = []
    @Published private(set) var now = Date()
    @Published private(set) var missions: [MissionRecord] = []
    @Published private(set) var mission: MissionDetails?
    @Published private(set) var documents: DocumentList?
    @Published private(set) var export: ExportResult?
    @Published private(set) var pushOnThisDevice = false
    @Published private(set) var closed = false
    @Published private(set) var busy = false
    @Published var error: String?

    private let calendar: OfflineCalendar?
    private let queue = DispatchQueue(label: "fr.rempla.workflow")
    private let iso = ISO8601DateFormatter()
    private var timer: Timer?

    init(calendar: OfflineCalendar?) {
        self.calendar = calendar
        reload()
        // The countdowns move every second without the network.
        timer = Timer.scheduledTimer(withTimeInterval: 1, repeats: true) { [weak self] _ in
            Task { @MainActor in self?.now = Date() }
        }
    }

    /// Reloads what is on the device (called after each sync and on ProposalsChanged / MissionsChanged).
    func reload() {
        guard let calendar else { return }
        proposals = (try? calendar.proposalsInbox()) ?? []
        missions = (try? calendar.missions()) ?? []
    }

    func label(_ p: ProposalRecord) -> String {
        switch p.state {
        case .sent: return p.fromFacility ? Countdown.label(deadline: iso.date(from: p.deadline) ?? now, now: now) : "Candidature envoyée"
        case .accepted: return "Acceptée"
        case .declined: return "Refusée"
        case .expired: return "Expirée"
        case .withdrawn: return "Retirée"
        }
    }

    func isUrgent(_ p: ProposalRecord) -> Bool {
        guard p.answerable, let deadline = iso.date(from: p.deadline) else { return false }
        return deadline.timeIntervalSince(now) < 86_400
    }

    private func run(_ work: @escaping @Sendable (OfflineCalendar) throws -> Void) {
        guard let calendar else { return }
        busy = true
        error = nil
        queue.async {
            var failure: Error?
            do { try work(calendar) } catch { failure = error }
            DispatchQueue.main.async {
                self.busy = false
                if let failure { self.error = CalendarModel.describe(failure) }
                self.reload()
            }
        }
    }

    func answer(_ id: String, accept: Bool) {
        run { calendar in _ = try calendar.answerProposal(proposalId: id, accept: accept, documentIds: nil) }
    }

    func open(mission id: String) {
        run { calendar in
            let details = try calendar.mission(id: id)
            DispatchQueue.main.async { self.mission = details }
        }
    }

    func closeMission() { mission = nil }

    func loadDocuments() {
        run { calendar in
            let list = try calendar.documents()
            DispatchQueue.main.async { self.documents = list }
        }
    }

    /// APNs gave this device a token: registered as its `apns` push target.
    func registerApns(token: Data) {
        let hex = token.map { String(format: "%02x", $0) }.joined()
        run { calendar in
            _ = try calendar.registerPushTarget(kind: .apns, tokenOrEndpoint: hex, keys: nil)
            DispatchQueue.main.async { self.pushOnThisDevice = true }
        }
    }

    func refreshPush() {
        run { calendar in
            let mine = try calendar.pushTargets().contains { $0.thisDevice }
            DispatchQueue.main.async { self.pushOnThisDevice = mine }
        }
    }

    func disablePush() {
        run { calendar in
            for t in try calendar.pushTargets() where t.thisDevice { try calendar.unregisterPushTarget(id: t.id) }
            DispatchQueue.main.async { self.pushOnThisDevice = false }
        }
    }

    /// Writes the export ZIP in the temporary directory (then offered to the share sheet).
    func exportData() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rempla-mes-donnees.zip").path
        run { calendar in
            let result = try calendar.exportMyData(path: path)
            DispatchQueue.main.async { self.export = result }
        }
    }

    func closeAccount(password: String) {
        run { calendar in
            try calendar.closeAccount(password: password)
            DispatchQueue.main.async { self.closed = true }
        }
    }
}
