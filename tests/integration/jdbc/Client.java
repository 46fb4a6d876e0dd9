// pgjdbc against orbit-pg or PostgreSQL: PreparedStatements run ten times each, so that they cross
// pgjdbc's prepareThreshold (5) and move from the unnamed statement to a named server-side one.
// Prints one JSON object a line; tests/integration/test_driver_jdbc.py asserts them.
//
// Usage: java -cp <dir>:postgresql.jar Client <jdbc url> <actor id prefix>

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGStatement;

public final class Client {
    private static final int RUNS = 10;

    private Client() {}

    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || c > 0x7e) {  // ASCII output, whatever the JVM's stdout encoding
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    static String list(List<String> values) {
        List<String> quoted = new ArrayList<>();
        for (String value : values) {
            quoted.add(quote(value));
        }
        return "[" + String.join(", ", quoted) + "]";
    }

    static void emit(String step, int i, String fields) {
        System.out.println("{\"step\": " + quote(step) + ", \"i\": " + i + (fields.isEmpty() ? "" : ", " + fields) + "}");
    }

    static boolean serverPrepared(PreparedStatement statement) throws SQLException {
        return statement.unwrap(PGStatement.class).isUseServerPrepare();
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String prefix = args[1];
        try (Connection conn = DriverManager.getConnection(url)) {
            conn.setAutoCommit(true);

            try (PreparedStatement insert = conn.prepareStatement(
                    "INSERT INTO actors (actor_id, actor_type, state) VALUES (?, ?, ?::jsonb)")) {
                for (int i = 0; i < RUNS; i++) {
                    insert.setString(1, prefix + ":" + i);
                    insert.setString(2, "user");
                    insert.setString(3, "{\"n\":" + i + ", \"name\": \"Zoë\"}");
                    int count = insert.executeUpdate();
                    emit("insert", i, "\"count\": " + count + ", \"server_prepared\": " + serverPrepared(insert));
                }
            }

            try (PreparedStatement select = conn.prepareStatement(
                    "SELECT actor_id, actor_type, state, ? * 2 AS twice FROM actors WHERE actor_id = ?")) {
                for (int i = 0; i < RUNS; i++) {
                    select.setInt(1, i);
                    select.setString(2, prefix + ":" + i);
                    List<String> rows = new ArrayList<>();
                    int twice = -1;
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            rows.add(rs.getString(1));
                            rows.add(rs.getString(2));
                            rows.add(rs.getString(3));
                            twice = rs.getInt(4);
                        }
                    }
                    emit("select", i, "\"row\": " + list(rows) + ", \"twice\": " + twice
                            + ", \"server_prepared\": " + serverPrepared(select));
                }
            }

            // setObject(..., Types.OTHER) sends the JSON untyped, so the server infers jsonb.
            try (PreparedStatement update = conn.prepareStatement(
                    "UPDATE actors SET state = ?, actor_type = ? WHERE actor_id = ?")) {
                for (int i = 0; i < RUNS; i++) {
                    update.setObject(1, "{\"m\": " + (i * 10) + "}", Types.OTHER);
                    update.setString(2, i % 2 == 0 ? "even" : "odd");
                    update.setString(3, prefix + ":" + i);
                    emit("update", i, "\"count\": " + update.executeUpdate());
                }
            }

            try (PreparedStatement limited = conn.prepareStatement(
                    "SELECT actor_id FROM actors WHERE actor_type = ? ORDER BY actor_id LIMIT ?")) {
                for (int i = 0; i < RUNS; i++) {
                    limited.setString(1, "even");
                    limited.setInt(2, i);
                    List<String> ids = new ArrayList<>();
                    try (ResultSet rs = limited.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString("actor_id"));
                        }
                    }
                    emit("limit", i, "\"ids\": " + list(ids));
                }
            }

            // A batch in a transaction: many Bind/Execute before one Sync.
            conn.setAutoCommit(false);
            try (PreparedStatement insert = conn.prepareStatement(
                    "INSERT INTO actors (actor_id, actor_type, state) VALUES (?, ?, NULL)")) {
                for (int i = 0; i < 20; i++) {
                    insert.setString(1, prefix + ":batch:" + i);
                    insert.setString(2, "batch");
                    insert.addBatch();
                }
                int total = 0;
                for (int count : insert.executeBatch()) {
                    total += count;
                }
                conn.commit();
                emit("batch", 0, "\"total\": " + total);
            }
            try (PreparedStatement delete = conn.prepareStatement("DELETE FROM actors WHERE actor_type = ?")) {
                delete.setString(1, "batch");
                emit("delete then rollback", 0, "\"count\": " + delete.executeUpdate());
                conn.rollback();
            }

            // An error in the transaction; rollback() and the connection goes on.
            try (PreparedStatement insert = conn.prepareStatement(
                    "INSERT INTO actors (actor_id, actor_type, state) VALUES (?, ?, NULL)")) {
                for (int i = 0; i < RUNS; i++) {
                    insert.setString(1, prefix + ":" + i);
                    insert.setString(2, "user");
                    String state;
                    try {
                        insert.executeUpdate();
                        state = null;
                    } catch (SQLException e) {
                        state = e.getSQLState();
                    }
                    conn.rollback();
                    emit("duplicate", i, "\"sqlstate\": " + quote(state));
                }
            }
            conn.setAutoCommit(true);

            try (PreparedStatement count = conn.prepareStatement(
                    "SELECT actor_id FROM actors WHERE actor_type = ? ORDER BY actor_id")) {
                for (String type : new String[] {"batch", "even", "odd"}) {
                    count.setString(1, type);
                    List<String> ids = new ArrayList<>();
                    try (ResultSet rs = count.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                    emit("type " + type, 0, "\"ids\": " + list(ids));
                }
            }
        }
    }
}
