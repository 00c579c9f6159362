package fr.rempla.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import fr.rempla.shared.PrivacyViewModel
import java.io.File
import java.util.concurrent.Executor

/**
 * Privacy settings: export my data (a ZIP in the app's files, then shared), push notifications on this
 * phone (on: the FCM or UnifiedPush registration runs again; off: this device's targets are removed),
 * and the account closure (the password typed again; the app then returns to the sign-in screen).
 */
@Composable
fun PrivacyScreen(vm: PrivacyViewModel, background: Executor, registerPush: () -> Unit, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    val context = LocalContext.current
    LaunchedEffect(vm) { background.execute { vm.refreshTargets() } }
    Column(modifier.padding(16.dp)) {
        Row {
            Text("Notifications sur ce téléphone")
            Switch(
                checked = state.pushOnThisDevice,
                onCheckedChange = { on -> if (on) registerPush() else background.execute { vm.disablePushOnThisDevice() } },
            )
        }
        Button({ background.execute { vm.export(File(context.getExternalFilesDir(null), "rempla-mes-donnees.zip")) } }, enabled = !state.busy) {
            Text("Exporter mes données")
        }
        state.export?.let { Text("Export enregistré : ${it.path} (${it.bytes / 1024} Kio)") }
        // Closing the account: the password typed again, then the library signs this device out.
        var closing by remember { mutableStateOf(false) }
        var password by remember { mutableStateOf("") }
        TextButton({ closing = true }) { Text("Supprimer mon compte…") }
        if (closing) {
            OutlinedTextField(
                password, { password = it }, label = { Text("Mot de passe") },
                visualTransformation = PasswordVisualTransformation(),
            )
            Button({ background.execute { vm.closeAccount(password) } }, enabled = !state.busy && password.isNotEmpty()) {
                Text("Supprimer définitivement")
            }
        }
        state.error?.let { Text("${it.message} [${it.code}]") }
    }
}
