/** Target namespace of the mock employees service. */
export const EMPLOYEES_NS = 'urn:example:hr:employees:v1'

/**
 * The WSDL of the mock employees service (document/literal, a SOAP 1.1 and a SOAP 1.2 binding), with the port
 * addresses pointing at `baseUrl` (`/soap/employees` and `/soap12/employees`). Served at `GET …?wsdl` too.
 *
 * @example
 * ```ts
 * const mock = await serve(soapEmployees())
 * const wsdl = employeesWsdl(mock.url)
 * ```
 */
export function employeesWsdl(baseUrl = 'http://127.0.0.1:8080'): string {
  const base = baseUrl.replace(/\/$/, '').replace(/[&<>"]/g, '')
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="${EMPLOYEES_NS}"
    targetNamespace="${EMPLOYEES_NS}">
  <wsdl:types>
    <xsd:schema targetNamespace="${EMPLOYEES_NS}" elementFormDefault="qualified">
      <xsd:simpleType name="Status">
        <xsd:restriction base="xsd:string">
          <xsd:enumeration value="active"/>
          <xsd:enumeration value="on-leave"/>
          <xsd:enumeration value="terminated"/>
        </xsd:restriction>
      </xsd:simpleType>
      <xsd:complexType name="Employee">
        <xsd:sequence>
          <xsd:element name="EmployeeId" type="xsd:string"/>
          <xsd:element name="FirstName" type="xsd:string"/>
          <xsd:element name="LastName" type="xsd:string"/>
          <xsd:element name="Email" type="xsd:string" nillable="true"/>
          <xsd:element name="Department" type="xsd:string"/>
          <xsd:element name="Salary" type="xsd:decimal"/>
          <xsd:element name="HireDate" type="xsd:date"/>
          <xsd:element name="ManagerId" type="xsd:string" nillable="true"/>
          <xsd:element name="Active" type="xsd:boolean"/>
          <xsd:element name="Status" type="tns:Status" minOccurs="0"/>
          <xsd:element name="LastModified" type="xsd:dateTime"/>
          <xsd:element name="Notes" type="xsd:string" nillable="true"/>
          <xsd:element name="Skill" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
        <xsd:attribute name="version" type="xsd:int"/>
      </xsd:complexType>
      <xsd:element name="GetEmployees">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="departmentId" type="xsd:string"/>
            <xsd:element name="count" type="xsd:int" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="GetEmployeesResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Employee" type="tns:Employee" minOccurs="0" maxOccurs="unbounded"/>
            <xsd:element name="Total" type="xsd:int"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="GetPayslip">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="employeeId" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="GetPayslipResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="FileName" type="xsd:string"/>
            <xsd:element name="Content" type="xsd:base64Binary"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="EmployeeFault">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Code" type="xsd:string"/>
            <xsd:element name="DepartmentId" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="GetEmployeesRequest"><wsdl:part name="parameters" element="tns:GetEmployees"/></wsdl:message>
  <wsdl:message name="GetEmployeesResponse"><wsdl:part name="parameters" element="tns:GetEmployeesResponse"/></wsdl:message>
  <wsdl:message name="GetPayslipRequest"><wsdl:part name="parameters" element="tns:GetPayslip"/></wsdl:message>
  <wsdl:message name="GetPayslipResponse"><wsdl:part name="parameters" element="tns:GetPayslipResponse"/></wsdl:message>
  <wsdl:message name="EmployeeFault"><wsdl:part name="fault" element="tns:EmployeeFault"/></wsdl:message>
  <wsdl:portType name="EmployeesPort">
    <wsdl:operation name="GetEmployees">
      <wsdl:input message="tns:GetEmployeesRequest"/>
      <wsdl:output message="tns:GetEmployeesResponse"/>
      <wsdl:fault name="EmployeeFault" message="tns:EmployeeFault"/>
    </wsdl:operation>
    <wsdl:operation name="GetPayslip">
      <wsdl:input message="tns:GetPayslipRequest"/>
      <wsdl:output message="tns:GetPayslipResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="EmployeesSoap11" type="tns:EmployeesPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetEmployees">
      <soap:operation soapAction="${EMPLOYEES_NS}/GetEmployees"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="EmployeeFault"><soap:fault name="EmployeeFault" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="GetPayslip">
      <soap:operation soapAction="${EMPLOYEES_NS}/GetPayslip"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:binding name="EmployeesSoap12" type="tns:EmployeesPort">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetEmployees">
      <soap12:operation soapAction="${EMPLOYEES_NS}/GetEmployees"/>
      <wsdl:input><soap12:body use="literal"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="GetPayslip">
      <soap12:operation soapAction="${EMPLOYEES_NS}/GetPayslip"/>
      <wsdl:input><soap12:body use="literal"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="EmployeesService">
    <wsdl:port name="EmployeesSoap11Port" binding="tns:EmployeesSoap11">
      <soap:address location="${base}/soap/employees"/>
    </wsdl:port>
    <wsdl:port name="EmployeesSoap12Port" binding="tns:EmployeesSoap12">
      <soap12:address location="${base}/soap12/employees"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`
}
