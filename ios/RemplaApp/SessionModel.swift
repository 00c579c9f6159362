import Foundation
import RemplaFFI

/// Sign-in (terms when required), the sync banner and sync events, over the calendar's session. Mirrors
/// android/shared's SessionViewModel and SyncViewModel (tested on the JVM); the blocking Rust calls run
/// on a background queue and results are published on the main actor.
@MainActor
final class SessionModel: ObservableObject, @unchecked Sendable {
    @Published private(set) var sync: SyncStateRecord?
    @Published private(set) var conflicts: [ConflictRecord] = []
    @Published private(set) var terms: TermsRecord?
    @Published private(set) var busy = false
    @Published private(set) var awaitingActivation = false
    @Published var error: String?

    private let calendar: OfflineCalendar?
    private let server: String
    private let queue = DispatchQueue(label: "fr.rempla.sync")

    init(calendar: OfflineCalendar?, server: String = "https://sync.rempla.fr") {
        self.calendar = calendar
        self.server = server
        refresh()
    }

    func refresh() {
        guard let calendar else { return }
        sync = try? calendar.syncState()
        conflicts = (try? calendar.syncConflicts()) ?? []
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
                if let failure {
                    self.error = CalendarModel.describe(failure)
                    if case RemplaError.Auth(let code, _) = failure, code == "terms_not_accepted" {
                        self.terms = try? calendar.currentTerms(server: self.server)
                    }
                }
                self.refresh()
            }
        }
    }

    func signIn(email: String, password: String, acceptTerms: Bool = false) {
        let server = self.server
        run { calendar in
            _ = try calendar.login(
                server: server, email: email, password: password, deviceName: "iPhone",
                platform: "ios", acceptTerms: acceptTerms)
        }
    }

    func signUp(_ input: SignUpInput) {
        let server = self.server
        run { calendar in
            _ = try calendar.signUpDoctor(server: server, input: input)
            DispatchQueue.main.async { self.awaitingActivation = true }
        }
    }

    func activate(token: String) {
        let server = self.server
        run { calendar in
            try calendar.activateAccount(server: server, token: token)
            DispatchQueue.main.async { self.awaitingActivation = false }
        }
    }

    func syncNow() {
        run { calendar in _ = try calendar.syncNow() }
    }

    func dismissConflicts() {
        let ids = conflicts.map(\.opId)
        run { calendar in _ = try calendar.dismissSyncConflicts(opIds: ids) }
    }
}
