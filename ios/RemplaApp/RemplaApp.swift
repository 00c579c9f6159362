// The SwiftUI shell: opens the offline calendar and shows the calendar screen. Thin on purpose: the
// rules are in core and the screen logic mirrors android/shared (tested on the JVM); Swift is not built
// on the Linux machine.
import SwiftUI
import RemplaFFI

@main
struct RemplaApp: App {
    @StateObject private var model = CalendarModel()

    var body: some Scene {
        WindowGroup {
            RootView(model: model, session: SessionModel(calendar: model.calendar))
        }
    }
}

/// Sign-in until a session exists, then the sync banner above the calendar.
struct RootView: View {
    @ObservedObject var model: CalendarModel
    @StateObject var session: SessionModel

    var body: some View {
        if session.sync?.signedIn == true {
            VStack {
                SyncBannerView(session: session)
                CalendarView(model: model)
            }
        } else {
            SignInView(session: session)
        }
    }
}
