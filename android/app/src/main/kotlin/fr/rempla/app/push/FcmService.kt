package fr.rempla.app.push

import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import fr.rempla.app.RemplaApplication

/**
 * Firebase Cloud Messaging (Android with Google services): a new token is registered on the server as
 * this device's `fcm` push target; a message makes the app sync (the server's notification itself is
 * shown by the system: it carries the French title and body).
 */
class FcmService : FirebaseMessagingService() {
    private val app get() = application as RemplaApplication

    override fun onNewToken(token: String) {
        app.background.execute { app.privacy.registerFcm(token) }
    }

    override fun onMessageReceived(message: RemoteMessage) {
        app.syncInBackground()
    }
}
