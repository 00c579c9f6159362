import UIKit
import UserNotifications

/// APNs registration: asks the user, registers with `UIApplication.registerForRemoteNotifications`, and
/// hands the device token to the workflow model, which registers it on the server as an `apns` target.
final class AppDelegate: NSObject, UIApplicationDelegate {
    /// Set by the app once its model exists.
    @MainActor static var onToken: ((Data) -> Void)?

    @MainActor static func registerForPush() {
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { granted, _ in
            guard granted else { return }
            DispatchQueue.main.async { UIApplication.shared.registerForRemoteNotifications() }
        }
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        Task { @MainActor in AppDelegate.onToken?(deviceToken) }
    }

    func application(_ application: UIApplication, didFailToRegisterForRemoteNotificationsWithError error: Error) {
        // No push on this device (simulator, refused): the app syncs when opened.
    }
}
