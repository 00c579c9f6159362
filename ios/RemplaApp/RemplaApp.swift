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
            CalendarView(model: model)
        }
    }
}
