package fr.rempla.app.push

import fr.rempla.app.RemplaApplication
import org.unifiedpush.android.connector.FailedReason
import org.unifiedpush.android.connector.PushService
import org.unifiedpush.android.connector.data.PushEndpoint
import org.unifiedpush.android.connector.data.PushMessage

/**
 * UnifiedPush (Android without Google services: ntfy, NextPush…): the distributor's endpoint and the
 * Web Push keys the connector generated are registered as a `webpush` target — the server encrypts for
 * them exactly as for a browser. A message makes the app sync.
 */
class UnifiedPushService : PushService() {
    private val app get() = application as RemplaApplication

    override fun onNewEndpoint(endpoint: PushEndpoint, instance: String) {
        val keys = endpoint.pubKeySet ?: return // the connector always makes them (Web Push needs them)
        app.background.execute { app.privacy.registerUnifiedPush(endpoint.url, keys.pubKey, keys.auth) }
    }

    override fun onMessage(message: PushMessage, instance: String) {
        app.syncInBackground()
    }

    override fun onRegistrationFailed(reason: FailedReason, instance: String) = Unit

    override fun onUnregistered(instance: String) {
        app.background.execute { app.privacy.disablePushOnThisDevice() }
    }
}
