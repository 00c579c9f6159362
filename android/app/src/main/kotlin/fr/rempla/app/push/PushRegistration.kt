package fr.rempla.app.push

import android.content.Context
import com.google.android.gms.common.ConnectionResult
import com.google.android.gms.common.GoogleApiAvailability
import com.google.firebase.messaging.FirebaseMessaging
import fr.rempla.app.RemplaApplication
import org.unifiedpush.android.connector.UnifiedPush

/**
 * Chooses the push channel of this phone: FCM when Google Play services are available (its token goes
 * to [FcmService]'s path: `registerFcm`), else the user's UnifiedPush distributor, whose endpoint
 * arrives in [UnifiedPushService]. Without either, the app still syncs when opened.
 */
object PushRegistration {
    fun start(context: Context) {
        val app = context.applicationContext as RemplaApplication
        val google = GoogleApiAvailability.getInstance().isGooglePlayServicesAvailable(context) == ConnectionResult.SUCCESS
        if (google) {
            FirebaseMessaging.getInstance().token.addOnSuccessListener { token ->
                app.background.execute { app.privacy.registerFcm(token) }
            }
        } else {
            UnifiedPush.tryUseCurrentOrDefaultDistributor(context) { found ->
                if (found) UnifiedPush.register(context)
            }
        }
    }
}
