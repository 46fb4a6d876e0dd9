// Prints what pgjdbc's DatabaseMetaData answers (the calls DBeaver and DataGrip make on connect):
// one JSON object a line, {"call": name, "columns": [...], "rows": [[...], ...]}, values as strings.
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;

public class Metadata {
    static String quote(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static void print(String call, ResultSet rs) throws Exception {
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder out = new StringBuilder("{\"call\": ").append(quote(call)).append(", \"columns\": [");
        for (int i = 1; i <= md.getColumnCount(); i++) out.append(i > 1 ? ", " : "").append(quote(md.getColumnLabel(i)));
        out.append("], \"rows\": [");
        boolean first = true;
        while (rs.next()) {
            out.append(first ? "[" : ", [");
            first = false;
            for (int i = 1; i <= md.getColumnCount(); i++) {
                Object value = rs.getObject(i);
                out.append(i > 1 ? ", " : "").append(quote(value == null ? null : value.toString()));
            }
            out.append("]");
        }
        System.out.println(out.append("]}"));
        rs.close();
    }

    public static void main(String[] args) throws Exception {
        try (Connection conn = DriverManager.getConnection(args[0])) {
            DatabaseMetaData md = conn.getMetaData();
            print("getCatalogs", md.getCatalogs());
            print("getSchemas", md.getSchemas());
            print("getTables", md.getTables(null, "public", "%", null));
            print("getColumns", md.getColumns(null, "public", "actors", "%"));
            print("getPrimaryKeys", md.getPrimaryKeys(null, "public", "actors"));
            print("getIndexInfo", md.getIndexInfo(null, "public", "actors", false, false));
            print("getTypeInfo", md.getTypeInfo());
        }
    }
}
