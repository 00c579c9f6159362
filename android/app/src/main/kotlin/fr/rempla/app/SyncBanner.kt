package fr.rempla.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import fr.rempla.shared.SyncViewModel
import java.util.concurrent.Executor

/**
 * The sync line above the screens: « À jour », « Hors ligne : 3 modification(s) en attente »…, a button
 * for a round now (on [background]) and the refused changes, each explained, until dismissed.
 */
@Composable
fun SyncBanner(vm: SyncViewModel, background: Executor, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    Column(modifier.padding(horizontal = 8.dp)) {
        Row {
            Text(state.banner)
            TextButton({ background.execute { vm.syncNow() } }, enabled = !state.syncing) { Text("Synchroniser") }
        }
        state.error?.let { Text("${it.message} [${it.code}]") }
        if (state.conflicts.isNotEmpty()) {
            state.conflicts.forEach { c -> Text("Modification annulée : ${c.message} [${c.code}]") }
            TextButton({ background.execute { vm.dismiss(state.conflicts) } }) { Text("J'ai compris") }
        }
    }
}
