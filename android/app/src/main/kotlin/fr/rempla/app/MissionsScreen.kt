package fr.rempla.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import fr.rempla.shared.MissionsViewModel
import java.util.concurrent.Executor

/** The doctor's missions; a tap opens the details with the contacts (read online, on [background]). */
@Composable
fun MissionsScreen(vm: MissionsViewModel, background: Executor, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    val selected = state.selected
    if (selected != null) {
        val m = selected.mission
        Column(modifier.padding(16.dp)) {
            TextButton({ vm.back() }) { Text("← Missions") }
            Text(m.title, fontWeight = FontWeight.Bold)
            Text(MissionsViewModel.period(m))
            m.location?.let { Text(it) }
            Text(if (m.status == "cancelled") "Annulée : ${m.cancellationReason.orEmpty()}" else "Confirmée")
            selected.contacts?.let { c ->
                Text("${c.facilityName} – ${c.siteName}", fontWeight = FontWeight.Bold)
                Text("${c.siteAddress}, ${c.sitePostcode}")
                c.people.forEach { Text("${it.displayName} (${it.role}) ${it.email.orEmpty()}") }
            }
            state.contactsNote?.let { Text(it) }
        }
        return
    }
    LazyColumn(modifier.padding(8.dp)) {
        items(state.missions, key = { it.id }) { m ->
            Column(Modifier.padding(vertical = 6.dp).clickable { background.execute { vm.open(m.id) } }) {
                Text(m.title, fontWeight = FontWeight.Bold)
                Text(MissionsViewModel.period(m))
            }
        }
    }
}
