import SwiftUI
import RemplaFFI

/// The month's occurrences as a list, with add (today, day shift, weekly) and swipe to remove.
struct CalendarView: View {
    @ObservedObject var model: CalendarModel
    @State private var department = "75"

    var body: some View {
        NavigationStack {
            List {
                if let error = model.error {
                    Text(error).foregroundStyle(.red)
                }
                ForEach(model.occurrences, id: \.start) { o in
                    VStack(alignment: .leading) {
                        Text("\(o.localDate)  \(o.localStart)–\(o.localEnd)")
                        Text(String(describing: o.kind)).font(.caption)
                    }
                    .swipeActions {
                        Button("Supprimer", role: .destructive) { model.remove(o, onlyThisDay: false) }
                        if o.isSeries {
                            Button("Ce jour") { model.remove(o, onlyThisDay: true) }
                        }
                    }
                }
            }
            .navigationTitle(model.month.formatted(.dateTime.month(.wide).year()))
            .toolbar {
                ToolbarItem(placement: .navigationBarLeading) { Button("‹") { model.move(months: -1) } }
                ToolbarItem(placement: .navigationBarTrailing) {
                    Menu("Ajouter") {
                        Button("Journée") { model.add(kind: .day, day: Date(), department: department, weeklyCount: nil) }
                        Button("Nuit, 10 semaines") { model.add(kind: .night, day: Date(), department: department, weeklyCount: 10) }
                    }
                }
                ToolbarItem(placement: .navigationBarTrailing) { Button("›") { model.move(months: 1) } }
            }
            .safeAreaInset(edge: .bottom) {
                if model.pendingChanges > 0 {
                    Text("\(model.pendingChanges) modification(s) à synchroniser").font(.footnote)
                }
            }
        }
    }
}
