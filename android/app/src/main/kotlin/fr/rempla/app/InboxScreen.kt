package fr.rempla.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import fr.rempla.shared.InboxViewModel

/** The inbox, unread first (bold); tap to mark read. Refreshed by the NotificationsChanged event. */
@Composable
fun InboxScreen(vm: InboxViewModel, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    LazyColumn(modifier.padding(8.dp)) {
        items(state.items, key = { it.id }) { n ->
            Column(Modifier.padding(vertical = 6.dp).clickable { vm.markRead(n.id) }) {
                Text(n.title, fontWeight = if (n.readAt == null) FontWeight.Bold else FontWeight.Normal)
                Text(n.body)
            }
        }
    }
}
