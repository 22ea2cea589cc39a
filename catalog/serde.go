package catalog

// Hive/Glue class names of the SerDes and formats lakeq honours.
const (
	SerDeLazySimple = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
	SerDeOpenCSV    = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
	SerDeHiveJSON   = "org.apache.hive.hcatalog.data.JsonSerDe"
	SerDeOpenXJSON  = "org.openx.data.jsonserde.JsonSerDe"
	SerDeParquet    = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	SerDeORC        = "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
	SerDeAvro       = "org.apache.hadoop.hive.serde2.avro.AvroSerDe"

	InputText     = "org.apache.hadoop.mapred.TextInputFormat"
	OutputText    = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	InputParquet  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	OutputParquet = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
	InputORC      = "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat"
	InputAvro     = "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat"
)
