// JdbcClient exercises the PostgreSQL JDBC driver against a server and
// prints what it saw, one fact per line, for the Go test to check. It
// exits non-zero on the first failed expectation. Run with
//   java -cp postgresql.jar JdbcClient.java URL USER PASSWORD
import java.sql.*;
import java.util.*;

public class JdbcClient {
    static void check(boolean ok, String what) {
        if (!ok) {
            throw new RuntimeException("check failed: " + what);
        }
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", args[1]);
        p.setProperty("password", args[2]);
        p.setProperty("prepareThreshold", "5");
        p.setProperty("binaryTransfer", "true");
        try (Connection c = DriverManager.getConnection(args[0], p)) {
            DatabaseMetaData md = c.getMetaData();
            System.out.println("product " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE jdbc_t (id integer NOT NULL, name varchar(20), price numeric(10,2), at timestamp, ok boolean)");
                st.execute("INSERT INTO jdbc_t VALUES (1, 'one', 1.50, TIMESTAMP '2024-01-02 03:04:05', true), (2, 'two', 2.25, NULL, false), (3, NULL, NULL, NULL, NULL)");
            }
            List<String> schemas = new ArrayList<>();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
            }
            System.out.println("schemas " + String.join(",", schemas));
            check(schemas.contains("public"), "getSchemas has public");
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "public", "%", new String[]{"TABLE", "VIEW"})) {
                while (rs.next()) tables.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            }
            System.out.println("tables " + String.join(",", tables));
            check(tables.contains("jdbc_t:TABLE"), "getTables has jdbc_t");
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "jdbc_t", "%")) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE")
                        + ":" + rs.getInt("COLUMN_SIZE") + ":" + rs.getString("IS_NULLABLE") + ":" + rs.getInt("ORDINAL_POSITION"));
                }
            }
            System.out.println("columns " + String.join(",", cols));
            check(cols.size() == 5, "getColumns returns 5 columns");
            int types = 0;
            boolean sawInt4 = false;
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    types++;
                    if ("int4".equals(rs.getString("TYPE_NAME"))) sawInt4 = true;
                }
            }
            System.out.println("typeinfo " + (types > 10) + " int4=" + sawInt4);
            check(sawInt4, "getTypeInfo has int4");

            // getPrimaryKeys takes information_schema._pg_expandarray's
            // composite apart; lakeq declares no keys, so none come back.
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "jdbc_t")) {
                int n = 0;
                while (rs.next()) n++;
                System.out.println("primarykeys " + n);
            }

            // A prepared statement run past prepareThreshold switches to a
            // named server statement and binary results.
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, price, at, ok FROM jdbc_t WHERE id = ?")) {
                for (int i = 0; i < 8; i++) {
                    ps.setInt(1, 1 + i % 3);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "row for id " + (1 + i % 3));
                        int id = rs.getInt(1);
                        check(id == 1 + i % 3, "id round trip");
                        if (id == 1) {
                            check("one".equals(rs.getString(2)), "name");
                            check(new java.math.BigDecimal("1.50").equals(rs.getBigDecimal(3)), "price " + rs.getBigDecimal(3));
                            check(Timestamp.valueOf("2024-01-02 03:04:05").equals(rs.getTimestamp(4)), "timestamp " + rs.getTimestamp(4));
                            check(rs.getBoolean(5), "bool");
                        }
                        if (id == 3) {
                            rs.getString(2);
                            check(rs.wasNull(), "NULL name");
                        }
                        check(!rs.next(), "one row");
                    }
                }
                System.out.println("prepared 8 runs ok");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ?::integer + 1, ?::text || 'x', ?::numeric * 2, ?::date, ?::boolean")) {
                for (int i = 0; i < 7; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "s" + i);
                    ps.setBigDecimal(3, new java.math.BigDecimal("1.25"));
                    ps.setDate(4, java.sql.Date.valueOf("2024-02-29"));
                    ps.setBoolean(5, i % 2 == 0);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "param row");
                        check(rs.getInt(1) == i + 1, "int param");
                        check(("s" + i + "x").equals(rs.getString(2)), "text param");
                        check(new java.math.BigDecimal("2.50").compareTo(rs.getBigDecimal(3)) == 0, "numeric param " + rs.getBigDecimal(3));
                        check(java.sql.Date.valueOf("2024-02-29").equals(rs.getDate(4)), "date param " + rs.getDate(4));
                        check(rs.getBoolean(5) == (i % 2 == 0), "bool param");
                    }
                }
                System.out.println("typed parameters ok");
            }

            // generated keys: pgjdbc appends RETURNING * to the INSERT
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_t (id, name) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setInt(1, 40);
                ps.setString(2, "forty");
                check(ps.executeUpdate() == 1, "insert count");
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    check(keys.next(), "generated key row");
                    check(keys.getInt("id") == 40 && "forty".equals(keys.getString("name")), "generated key values");
                }
                System.out.println("generated keys ok");
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM jdbc_t WHERE id = 40");
            }

            // setFetchSize with autocommit off fetches through a portal in chunks.
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(100);
                long sum = 0;
                int n = 0;
                try (ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 1000) AS t(g)")) {
                    while (rs.next()) {
                        sum += rs.getLong(1);
                        n++;
                    }
                }
                System.out.println("fetchsize rows " + n + " sum " + sum);
                check(n == 1000 && sum == 500500, "fetch size rows");
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                try {
                    st.executeQuery("SELECT * FROM no_such_table");
                    check(false, "error expected");
                } catch (SQLException e) {
                    System.out.println("error " + e.getSQLState());
                    check("42P01".equals(e.getSQLState()), "undefined table state");
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_t")) {
                    rs.next();
                    System.out.println("after error count " + rs.getLong(1));
                }
            }
        }
        System.out.println("JDBC OK");
    }
}
