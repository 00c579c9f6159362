// The SwiftUI shell: opens the offline calendar and shows the screens. Thin on purpose: the rules are in
// core and the screen logic mirrors android/shared (tested on the JVM); Swift is not built on the Linux
// machine (see the README, section "Phones").
import SwiftUI
import RemplaFFI

@main
struct RemplaApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @StateObject private var model = CalendarModel()

    var body: some Scene {
        WindowGroup {
            RootView(model: model, session: SessionModel(calendar: model.calendar),
                     workflow: WorkflowModel(calendar: model.calendar))
        }
    }
}

/// Sign-in or registration until a session exists, then the sync banner above the tabs.
struct RootView: View {
    @ObservedObject var model: CalendarModel
    @StateObject var session: SessionModel
    @StateObject var workflow: WorkflowModel
    @State private var registering = false

    var body: some View {
        if session.sync?.signedIn == true && !workflow.closed {
            VStack {
                SyncBannerView(session: session)
                TabView {
                    CalendarView(model: model).tabItem { Text("Calendrier") }
                    ProposalsView(model: workflow).tabItem { Text("Propositions") }
                    MissionsView(model: workflow).tabItem { Text("Missions") }
                    DocumentsView(model: workflow).tabItem { Text("Documents") }
                    PrivacyView(model: workflow).tabItem { Text("Confidentialité") }
                }
            }
            .onAppear {
                AppDelegate.onToken = { token in workflow.registerApns(token: token) }
                AppDelegate.registerForPush()
            }
            .onChange(of: session.sync?.lastSyncAt) { _ in workflow.reload() }
        } else if registering {
            VStack {
                RegisterView(session: session)
                Button("J'ai déjà un compte") { registering = false }
            }
        } else {
            VStack {
                SignInView(session: session)
                Button("Créer un compte médecin") { registering = true }
            }
        }
    }
}
